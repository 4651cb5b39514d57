using FastBucket.Cli.Tests;
using FastBucket.Redis.Tests.Infrastructure;
using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;

namespace FastBucket.Redis.Tests.Cli;

/// <summary>Three <c>fastbucket run</c> processes on one simulated account, coordinated only through Redis.</summary>
public sealed class SharedAccountAcrossProcessesTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncDisposable
{
    private const int Rpm = 600;
    private const int PerProcess = 100; // 300 in all: about 30 s at 10/s
    private readonly List<ProviderSimulator> _simulators = [];

    [RedisFact]
    public async Task Run_ThreeProcessesOneAccountThroughRedis_ContinuousBucket_NoRateLimitedRequestAndAtLeastNinetyPercentOfTheRate()
    {
        // An account that refills continuously (600 a minute, no shorter period): three processes sharing one quota in
        // Redis send at its rate together, and none is ever refused.
        var simulator = await RunThreeAsync("lenient");
        Assert.Equal(0, simulator.Statistics.RateLimited);
        AssertAdmittedAtLeastNinetyPercent(simulator);
    }

    [RedisFact]
    public async Task Run_ThreeProcessesOneAccountThroughRedis_OpenAIsOneSecondQuanta_NoRateLimitStormAndAtLeastNinetyPercentOfTheRate()
    {
        // OpenAI's documented accounting: 600 a minute enforced as 10 a second, refused requests charged. The quotas in
        // Redis follow it (one second's share at a time), so the three processes together send at the rate, not in a
        // minute's burst: without the burst rule 295 of 300 requests were refused.
        // The server counts a request when it arrives, the quota when it grants it; a process descheduled for longer than
        // the quantum's 250 ms margin (three CLIs, Redis and the simulator on a loaded 2-core machine, beside the other
        // test assemblies) bunches its arrivals, which no client-side limiter can undo: 0 or 1 refused when run alone,
        // 17 in one whole-suite run. So the bound is a storm's, a tenth of the requests, not a handful.
        var simulator = await RunThreeAsync("openai");
        Assert.True(simulator.Statistics.RateLimited <= 3 * PerProcess / 10, simulator.Statistics.ToString());
        AssertAdmittedAtLeastNinetyPercent(simulator);
    }

    [RedisFact]
    public async Task Run_ThreeProcessesOneAccountThroughRedis_AzuresFixedTenSecondWindows_NoRateLimitStormAndAtLeastNinetyPercentOfTheRate()
    {
        // Azure's documented accounting: requests over fixed 10-s windows of a sixth of the minute, counted on arrival and
        // kept. Redis's request burst is a refilling cell (one second's share, refilled at the rate), not LlmQuota's
        // per-period log, so one window can be offered its share plus a burst after an idle moment; with every process
        // sending at the shared rate it was met 0 times in 300 requests. The bound is a storm's, as for OpenAI above.
        var simulator = await RunThreeAsync("azure");
        Assert.True(simulator.Statistics.RateLimited <= 3 * PerProcess / 10, simulator.Statistics.ToString());
        AssertAdmittedAtLeastNinetyPercent(simulator);
    }

    private async Task<ProviderSimulator> RunThreeAsync(string accounting)
    {
        var options = new SimulatorOptions { Seed = 21, Accounting = AccountingModel.Profile(accounting) };
        options.RateLimits.SetAll(new RateLimits { RequestsPerMinute = Rpm, TokensPerMinute = 100_000_000 });
        var simulator = await ProviderSimulator.StartAsync(options);
        _simulators.Add(simulator);
        using var dir = new TemporaryDirectory();
        var key = new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-shared-account" };

        var runs = Enumerable.Range(0, 3).Select(p =>
        {
            File.WriteAllLines(dir.File($"in{p}.jsonl"), BatchFiles.ChatLines(PerProcess, prefix: $"p{p}-"));
            return CliProcess.RunAsync(dir.Path, key, TimeSpan.FromMinutes(3),
                "run", $"in{p}.jsonl", "--base-url", simulator.BaseAddress.ToString(), "--rpm", Rpm.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--redis", redis.Server.Configuration, "--redis-instances", "3", "--no-live", "--json");
        }).ToList();
        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(3 * PerProcess, simulator.Statistics.Admitted);
        return simulator;
    }

    /// <summary>
    /// What the account allowed while the processes were sending: one second's share plus the refill from the first
    /// admission to the last (process start-up, which can take seconds on a loaded machine, is not counted).
    /// </summary>
    private static void AssertAdmittedAtLeastNinetyPercent(ProviderSimulator simulator)
    {
        var admissions = simulator.Statistics.GetChargeLog().Where(r => r.Kind == ChargeKind.Admission).Select(r => r.Timestamp).ToList();
        double seconds = (admissions.Max() - admissions.Min()).TotalSeconds;
        double allowed = (Rpm / 60.0) + (Rpm / 60.0 * seconds);
        double share = simulator.Statistics.Admitted / allowed;
        Assert.True(share >= 0.9, $"used {share:P1} of the limit ({simulator.Statistics.Admitted} of {allowed:0} in {seconds:0.0} s); {simulator.Statistics}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var simulator in _simulators)
        {
            await simulator.DisposeAsync();
        }
    }
}
