using FastBucket.Cli.Batch;

namespace FastBucket.Cli.Tests.Batch;

public sealed class BatchInputReaderTests
{
    [Fact]
    public void Parse_BatchApiLine_TakesIdMethodUrlAndBody()
    {
        var line = BatchInputReader.Parse(7, """{"custom_id": "x", "method": "post", "url": "/v1/chat/completions", "body": {"model": "m", "messages": []}}""", model: null);
        Assert.True(line.IsValid);
        Assert.Equal(("x", "POST", "/v1/chat/completions"), (line.CustomId, line.Method, line.Url));
        Assert.Contains("\"model\":\"m\"", line.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BareBody_IdIsLineNumberAndModelFilledIn()
    {
        var line = BatchInputReader.Parse(12, """{"messages": [{"role": "user", "content": "hi"}]}""", model: "gpt-4o-mini");
        Assert.True(line.IsValid);
        Assert.Equal("12", line.CustomId);
        Assert.Null(line.Url);
        Assert.Contains("\"model\":\"gpt-4o-mini\"", line.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BodyNamesItsModel_KeepsIt()
    {
        var line = BatchInputReader.Parse(1, """{"model": "mine", "messages": []}""", model: "other");
        Assert.Contains("\"model\":\"mine\"", line.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ broken", "not valid JSON")]
    [InlineData("42", "expected a JSON object")]
    [InlineData("""{"custom_id": 5, "body": {}}""", "custom_id must be a non-empty string")]
    [InlineData("""{"custom_id": "a", "method": "DELETE", "body": {}}""", "method must be POST or GET")]
    [InlineData("""{"custom_id": "a", "url": "http://elsewhere/x", "body": {}}""", "url must be a path")]
    [InlineData("""{"custom_id": "a", "body": "text"}""", "body must be a JSON object")]
    public void Parse_Malformed_ErrorNamesLineAndProblem(string text, string problem)
    {
        var line = BatchInputReader.Parse(3, text, model: null);
        Assert.False(line.IsValid);
        Assert.StartsWith("line 3: ", line.Error, StringComparison.Ordinal);
        Assert.Contains(problem, line.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_BlankLines_SkippedButCountedInLineNumbers()
    {
        using var reader = new StringReader("\n{\"a\":1}\n\n   \n{\"b\":2}\n");
        var lines = new List<BatchInputLine>();
        await foreach (var line in BatchInputReader.ReadAsync(reader, null, CancellationToken.None))
        {
            lines.Add(line);
        }

        Assert.Equal([2L, 5L], lines.Select(l => l.LineNumber));
        Assert.Equal(["2", "5"], lines.Select(l => l.CustomId));
    }
}
