using FastBucket.Cli.Tests;
using FastBucket.Redis.Tests.Infrastructure;
using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;

namespace FastBucket.Redis.Tests.Cli;

/// <summary>Three <c>fastbucket run</c> processes on one simulated account, coordinated only through Redis.</summary>
public sealed class SharedAccountAcrossProcessesTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [RedisFact]
    public async Task Run_ThreeProcessesOneAccountThroughRedis_NoRateLimitStormAndAtLeastNinetyPercentOfTheLimit()
    {
        // OpenAI's documented accounting: 600 a minute enforced as 10 a second, refused requests charged. The quotas in
        // Redis follow it (one second's share at a time), so the three processes together send at the rate, not in a
        // minute's burst.
        const int rpm = 600;
        const int perProcess = 100; // 300 in all: about 30 s at 10/s
        var options = new SimulatorOptions { Seed = 21, Accounting = AccountingModel.Profile("openai") };
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
        // The server counts a request when it arrives, the quota when it grants it. The registry's 1% headroom absorbs
        // 0.6 s of delay between the two; a process descheduled for longer (three CLIs, Redis and the simulator on a
        // loaded 2-core machine) bunches its arrivals, which no client-side limiter can undo. So: no storm, at most
        // three 429s in 840 (one was seen in five loaded whole-suite runs), each retried to success.
        Assert.True(simulator.Statistics.RateLimited <= 3, simulator.Statistics.ToString());
        Assert.Equal(3 * perProcess, simulator.Statistics.Admitted);
        // What the account allowed while the processes were sending: one second's share plus the refill from the first
        // admission to the last (process start-up, which can take seconds on a loaded machine, is not counted).
        var admissions = simulator.Statistics.GetChargeLog().Where(r => r.Kind == ChargeKind.Admission).Select(r => r.Timestamp).ToList();
        double seconds = (admissions.Max() - admissions.Min()).TotalSeconds;
        double allowed = (rpm / 60.0) + (rpm / 60.0 * seconds);
        double share = simulator.Statistics.Admitted / allowed;
        Assert.True(share >= 0.9, $"used {share:P1} of the limit ({simulator.Statistics.Admitted} of {allowed:0} in {seconds:0.0} s)");
    }
}
