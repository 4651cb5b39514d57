using FastBucket.Cli.Tests;
using FastBucket.Redis.Tests.Infrastructure;
using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;

namespace FastBucket.Redis.Tests.Cli;

/// <summary>Three <c>fastbucket run</c> processes on one simulated account, coordinated only through Redis.</summary>
public sealed class SharedAccountAcrossProcessesTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [RedisFact]
    public async Task Run_ThreeProcessesOneAccountThroughRedis_NoRateLimitedAndAtLeastNinetyPercentOfTheLimit()
    {
        const int rpm = 600;
        const int perProcess = 280; // 840 in all: the 600 burst, then 24 s at 10/s
        var options = new SimulatorOptions { Seed = 21 };
        options.RateLimits.SetAll(new RateLimits { RequestsPerMinute = rpm, TokensPerMinute = 100_000_000 });
        await using var simulator = await ProviderSimulator.StartAsync(options);
        using var dir = new TemporaryDirectory();
        var key = new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-shared-account" };

        var runs = Enumerable.Range(0, 3).Select(p =>
        {
            File.WriteAllLines(dir.File($"in{p}.jsonl"), BatchFiles.ChatLines(perProcess, prefix: $"p{p}-"));
            return CliProcess.RunAsync(dir.Path, key, TimeSpan.FromMinutes(3),
                "run", $"in{p}.jsonl", "--base-url", simulator.BaseAddress.ToString(), "--rpm", rpm.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--redis", redis.Server.Configuration, "--redis-instances", "3", "--no-live", "--json");
        }).ToList();
        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.True(simulator.Statistics.RateLimited == 0, simulator.Statistics.ToString());
        Assert.Equal(3 * perProcess, simulator.Statistics.Admitted);
        // What the account allowed while the processes were sending: a full minute's burst plus the refill from the
        // first admission to the last (process start-up, which can take seconds on a loaded machine, is not counted).
        var admissions = simulator.Statistics.GetChargeLog().Where(r => r.Kind == ChargeKind.Admission).Select(r => r.Timestamp).ToList();
        double seconds = (admissions.Max() - admissions.Min()).TotalSeconds;
        double allowed = rpm + (rpm / 60.0 * seconds);
        double share = simulator.Statistics.Admitted / allowed;
        Assert.True(share >= 0.9, $"used {share:P1} of the limit ({simulator.Statistics.Admitted} of {allowed:0} in {seconds:0.0} s)");
    }
}
