using System.Globalization;
using System.Text.Json;
using FastBucket.Llm.Tests.Providers;

namespace FastBucket.Cli.Tests.Commands;

/// <summary><c>fastbucket inspect --json</c> as a real process, for every case of provider-vectors.json.</summary>
public sealed class InspectCommandTests
{
    public static TheoryData<string> VectorIds() => ProviderVector.Ids();

    [Theory]
    [MemberData(nameof(VectorIds))]
    public async Task Inspect_VectorSavedByCurl_PrintsExpectedJson(string id)
    {
        var vector = ProviderVector.All[id];
        using var dir = new TemporaryDirectory();
        File.WriteAllBytes(dir.File("response.txt"), vector.ToCurlOutput(http2: false, "\r\n"));
        string[] args = vector.GivenNow is { } now
            ? ["inspect", "response.txt", "--json", "--now", now.ToString("O", CultureInfo.InvariantCulture)]
            : ["inspect", "response.txt", "--json"];

        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(1), args);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var written = JsonDocument.Parse(result.StdOut);
        ExpectedSignals.AssertMatches(vector.Expected, key => written.RootElement.TryGetProperty(key, out var value) ? value : null);
    }

    [Fact]
    public void Inspect_Vectors_AllLoaded() =>
        Assert.True(ProviderVector.All.Count >= 41, $"only {ProviderVector.All.Count} vectors loaded");

    [Fact]
    public async Task Inspect_NotAnHttpResponse_ExitsTwoWithMessage()
    {
        using var dir = new TemporaryDirectory();
        File.WriteAllText(dir.File("junk.txt"), "this is not an HTTP response\n");
        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(1), "inspect", "junk.txt");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("junk.txt", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_MissingFile_ExitsTwo()
    {
        using var dir = new TemporaryDirectory();
        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(1), "inspect", "nope.txt");
        Assert.True(result.ExitCode == 2, result.ToString());
    }

    [Fact]
    public async Task Inspect_BadNow_ExitsTwoNamingTheOption()
    {
        using var dir = new TemporaryDirectory();
        File.WriteAllText(dir.File("r.txt"), "HTTP/1.1 200 OK\r\n\r\n");
        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(1), "inspect", "r.txt", "--now", "yesterday");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--now", result.StdErr, StringComparison.Ordinal);
    }
}
