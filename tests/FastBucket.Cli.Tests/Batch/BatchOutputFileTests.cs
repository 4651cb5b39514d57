using FastBucket.Cli.Batch;

namespace FastBucket.Cli.Tests.Batch;

public sealed class BatchOutputFileTests
{
    private static string Ok(string id) => $$$"""{"id":"batch_req_1","custom_id":"{{{id}}}","response":{"status_code":200,"request_id":null,"body":{}},"error":null}""";

    private static string Failed(string id) => $$$"""{"id":"batch_req_2","custom_id":"{{{id}}}","response":{"status_code":500,"request_id":null,"body":{}},"error":{"code":"http_500","message":"x"}}""";

    [Fact]
    public async Task PrepareAsync_MixedFile_KeepsOneSuccessPerIdDropsTheRest()
    {
        using var dir = new TemporaryDirectory();
        string path = dir.File("out.jsonl");
        File.WriteAllText(path, string.Join('\n', Ok("a"), Failed("b"), Ok("a"), Ok("c"), """{"id":"batch_req_3","custom_id":"d","resp""") );

        var repair = await BatchOutputFile.PrepareAsync(path, CancellationToken.None);

        Assert.Equal(["a", "c"], repair.Completed.Order(StringComparer.Ordinal));
        Assert.Equal((1, 1, 1), (repair.FailedDropped, repair.CorruptDropped, repair.DuplicatesDropped));
        Assert.Equal([Ok("a"), Ok("c")], File.ReadAllLines(path));
        Assert.False(File.Exists(path + ".fastbucket-tmp"));
    }

    [Fact]
    public async Task PrepareAsync_NoFile_NothingCompleted()
    {
        using var dir = new TemporaryDirectory();
        var repair = await BatchOutputFile.PrepareAsync(dir.File("none.jsonl"), CancellationToken.None);
        Assert.Empty(repair.Completed);
        Assert.False(File.Exists(dir.File("none.jsonl")));
    }

    [Fact]
    public async Task Write_Ordered_HoldsEarlyResultsUntilTheirTurn()
    {
        using var stream = new MemoryStream();
        var writer = new BatchOutputWriter(stream, ordered: true, window: 10);
        var line = new BatchInputLine(1, "x", "POST", null, "{}", null);
        for (int i = 0; i < 3; i++)
        {
            await writer.WaitForWindowAsync(CancellationToken.None); // one window slot per line, as the runner takes them
        }

        writer.Write(2, BatchResult.Failed(line with { CustomId = "c" }, "e", "m"));
        writer.Write(1, BatchResult.Failed(line with { CustomId = "b" }, "e", "m"));
        Assert.Equal(0, writer.Written);
        writer.Write(0, BatchResult.Failed(line with { CustomId = "a" }, "e", "m"));
        Assert.Equal(3, writer.Written);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.True(text.IndexOf("\"a\"", StringComparison.Ordinal) < text.IndexOf("\"b\"", StringComparison.Ordinal));
        Assert.True(text.IndexOf("\"b\"", StringComparison.Ordinal) < text.IndexOf("\"c\"", StringComparison.Ordinal));
        await writer.DisposeAsync();
    }

    [Fact]
    public void FromResponse_NonJsonBody_EmbeddedAsStringNeverThrows()
    {
        var line = new BatchInputLine(1, "x", "POST", null, "{}", null);
        var result = BatchResult.FromResponse(line, 502, null, "<html>bad gateway</html>"u8.ToArray());
        var json = System.Text.Encoding.UTF8.GetString(result.ToJsonLine());
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal("<html>bad gateway</html>", document.RootElement.GetProperty("response").GetProperty("body").GetString());
        Assert.Equal("http_502", document.RootElement.GetProperty("error").GetProperty("code").GetString());
    }
}
