using System.Text.Json;

namespace FastBucket.Cli.Tests.Commands;

/// <summary><c>fastbucket demo</c> as a real process: the simulator in it, no key, no network.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_SmallJson_ZeroRateLimitedAndEveryDocumentedKey()
    {
        using var dir = new TemporaryDirectory();
        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(2),
            "demo", "--requests", "60", "--latency", "none", "--rpm", "600", "--tpm", "20000", "--json", "--no-live", "-o", "demo.jsonl");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var summary = JsonDocument.Parse(result.StdOut);
        var root = summary.RootElement;
        foreach (var key in new[] { "requests", "succeeded", "failed", "rate_limited_429", "retries", "wall_seconds", "achieved_rpm", "achieved_tpm", "limit_rpm", "limit_tpm", "binding_limit", "binding_limit_share", "wait_p50_ms", "wait_p99_ms", "output_file" })
        {
            Assert.True(root.TryGetProperty(key, out _), $"missing key {key}");
        }

        Assert.Equal(60, root.GetProperty("succeeded").GetInt64());
        Assert.Equal(0, root.GetProperty("rate_limited_429").GetInt64());
        Assert.Equal(20_000, root.GetProperty("limit_tpm").GetInt64());
        Assert.Equal(60, BatchFiles.ReadResults(dir.File("demo.jsonl")).Count);
    }

    [Fact]
    public async Task Demo_AccountingOpenAI_RunsEveryRequestAgainstOpenAIsDocumentedAccounting()
    {
        using var dir = new TemporaryDirectory();
        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(2),
            "demo", "--requests", "20", "--latency", "none", "--rpm", "6000", "--tpm", "1000000", "--accounting", "openai", "--no-live", "-o", "demo.jsonl");

        // Whatever the 429s, every request of the batch is answered and written.
        Assert.Contains("accounting openai", result.StdErr, StringComparison.Ordinal);
        Assert.Equal(20, BatchFiles.ReadResults(dir.File("demo.jsonl")).Count);
    }
}
