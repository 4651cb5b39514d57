using System.Text.Json;

namespace FastBucket.Cli.Tests.Commands;

/// <summary><c>fastbucket limits</c> as a real process.</summary>
public sealed class LimitsCommandTests
{
    [Fact]
    public async Task Limits_ProviderJson_EntriesWithSourceAndAsOf()
    {
        using var dir = new TemporaryDirectory();
        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(1), "limits", "anthropic", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.StdOut);
        var entries = document.RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(entries);
        Assert.All(entries, e => Assert.Equal("anthropic", e.GetProperty("provider").GetString()));
        Assert.Contains(entries, e => e.GetProperty("itpm").ValueKind == JsonValueKind.Number && e.GetProperty("otpm").ValueKind == JsonValueKind.Number);
        Assert.All(entries, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("source").GetString())));
        Assert.All(entries, e => Assert.True(e.TryGetProperty("as_of", out _)));
    }

    [Fact]
    public async Task Limits_Table_ShowsSourcesUnderneath()
    {
        using var dir = new TemporaryDirectory();
        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(1), "limits", "openai", "gpt-4o-mini");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("gpt-4o-mini", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("[1] http", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limits_BrokenLimitsFile_ExitsTwo()
    {
        using var dir = new TemporaryDirectory();
        File.WriteAllText(dir.File("limits.json"), "{ not json");
        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(1), "limits", "--limits", "limits.json");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("limits", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limits_YamlLimitsFileFromTheEnvironment_ListsItsEntries()
    {
        using var dir = new TemporaryDirectory();
        File.WriteAllText(dir.File("limits.yaml"), "openai:\n  gpt-4:\n    requests_per_minute: 200\n    tokens_per_minute: 40000\n");
        var result = await CliProcess.RunAsync(
            dir.Path, new Dictionary<string, string> { ["FASTBUCKET_LIMITS"] = dir.File("limits.yaml") }, TimeSpan.FromMinutes(1), "limits", "openai", "gpt-4", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.StdOut);
        var first = document.RootElement.EnumerateArray().First();
        Assert.Equal(200, first.GetProperty("rpm").GetInt64());
        Assert.Equal(40_000, first.GetProperty("tpm").GetInt64());
    }

    [Fact]
    public async Task Limits_BrokenYamlLimitsFile_ExitsTwoNamingTheFileAndLine()
    {
        using var dir = new TemporaryDirectory();
        File.WriteAllText(dir.File("limits.yaml"), "openai:\n  gpt-4:\n    requests_per_minute: lots\n");
        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(1), "limits", "--limits", "limits.yaml");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("limits.yaml', line 2, entry openai/gpt-4, line 3: 'requests_per_minute' is 'lots'", result.StdErr, StringComparison.Ordinal);
    }
}
