using FastBucket.E2E.Contenders;
using FastBucket.E2E.Workload;
using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Latency;

namespace FastBucket.E2E.Measurement;

/// <summary>Runs one contender against a fresh simulator (full buckets, same seed), so each faces the same account.</summary>
internal static class ContenderRun
{
    public static async Task<ContenderResult> RunAsync(
        IContender contender,
        IReadOnlyList<WorkloadRequest> requests,
        LimitShape limits,
        string latency,
        int seed,
        CancellationToken cancellationToken)
    {
        var options = new SimulatorOptions { Seed = seed, Latency = LatencyOptions.Parse(latency) };
        options.RateLimits.SetAll(new RateLimits { RequestsPerMinute = limits.RequestsPerMinute, TokensPerMinute = limits.TokensPerMinute });
        await using var simulator = await ProviderSimulator.StartAsync(options, cancellationToken);

        var recorder = new RunRecorder(requests.Count);
        string notes = await contender.RunAsync(simulator.BaseAddress, requests, limits, recorder, cancellationToken);
        var client = recorder.Measure();
        var statistics = simulator.Statistics;

        long tokens = statistics.InputTokens + statistics.OutputTokens;
        double requestShare = BindingLimitShare.Of(statistics.Admitted, limits.RequestsPerMinute, client.WallSeconds);
        double tokenShare = BindingLimitShare.Of(tokens, limits.TokensPerMinute, client.WallSeconds);
        return new ContenderResult(
            contender.Name,
            contender.Wiring,
            notes,
            client,
            statistics.Requests,
            statistics.Admitted,
            statistics.RateLimited,
            statistics.InputTokens,
            statistics.OutputTokens,
            tokenShare >= requestShare ? "TPM" : "RPM",
            Math.Max(tokenShare, requestShare),
            requestShare,
            tokenShare);
    }
}
