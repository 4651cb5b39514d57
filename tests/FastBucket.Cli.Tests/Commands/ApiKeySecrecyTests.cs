using FastBucket.Simulator;
using FastBucket.Simulator.Faults;

namespace FastBucket.Cli.Tests.Commands;

/// <summary>A recognisable key goes through every command; it must appear in no output and no file.</summary>
public sealed class ApiKeySecrecyTests
{
    private const string Secret = "sk-fastbucket-LEAKCHECK-5b1e0c7d9a";

    [Fact]
    public async Task Commands_WithRecognisableKey_NeverPrintOrWriteIt()
    {
        using var dir = new TemporaryDirectory();
        var options = new SimulatorOptions { Seed = 3, Faults = FaultOptions.Parse("500=0.3") };
        await using var simulator = await ProviderSimulator.StartAsync(options);
        File.WriteAllLines(dir.File("in.jsonl"), [.. BatchFiles.ChatLines(20), "broken line"]);
        var environment = new Dictionary<string, string> { ["OPENAI_API_KEY"] = Secret, ["MY_KEY"] = Secret };

        var outputs = new List<CliResult>
        {
            await CliProcess.RunAsync(dir.Path, environment, TimeSpan.FromMinutes(2), "run", "in.jsonl", "--base-url", simulator.BaseAddress.ToString(), "--max-attempts", "1", "--no-live"),
            await CliProcess.RunAsync(dir.Path, environment, TimeSpan.FromMinutes(2), "run", "in.jsonl", "--base-url", simulator.BaseAddress.ToString(), "--api-key-env", "MY_KEY", "--json", "--no-live"),
            await CliProcess.RunAsync(dir.Path, environment, TimeSpan.FromMinutes(1), "run", "--help"),
            await CliProcess.RunAsync(dir.Path, environment, TimeSpan.FromMinutes(1), "run", "in.jsonl", "--bogus"),
        };

        Assert.True(simulator.Statistics.Admitted > 0, "the key was never sent: the test would prove nothing");
        foreach (var output in outputs)
        {
            Assert.DoesNotContain(Secret, output.StdOut, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, output.StdErr, StringComparison.Ordinal);
            Assert.DoesNotContain("LEAKCHECK", output.StdOut + output.StdErr, StringComparison.Ordinal);
        }

        foreach (var file in Directory.EnumerateFiles(dir.Path, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain("LEAKCHECK", File.ReadAllText(file), StringComparison.Ordinal);
        }
    }
}
