using FastBucket.E2E.Contenders;
using FastBucket.E2E.Measurement;
using FastBucket.E2E.Workload;
using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Latency;

namespace FastBucket.E2E.Fidelity;

/// <summary>Runs one contender against its own simulator (own loopback port, full account) under one profile.</summary>
internal static class FidelityCell
{
    public static async Task<FidelityResult> RunAsync(
        FidelityProfile profile,
        IContender contender,
        IReadOnlyList<WorkloadRequest> requests,
        string latency,
        int seed,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        AccountingModel accounting = profile.AccountingModel();
        var options = new SimulatorOptions
        {
            Seed = seed,
            Latency = LatencyOptions.Parse(latency),
            Accounting = accounting,
            MinOutputShare = 0.3,
            ChargeLogCapacity = 1_000_000,
        };
        options.RateLimits[profile.Provider] = PerKeyModelLimits.Uniform(profile.Limits);
        await using var simulator = await ProviderSimulator.StartAsync(options, cancellationToken);

        var recorder = new RunRecorder(requests.Count);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        string notes;
        bool timedOut = false;
        DateTimeOffset startedAt = DateTimeOffset.UtcNow;
        try
        {
            notes = await contender.RunAsync(simulator.BaseAddress, requests, profile.NaiveShape, recorder, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            timedOut = true;
            notes = $"stopped after {timeout.TotalMinutes:0} min with requests unfinished";
        }

        RunMeasurements client = recorder.Measure();
        SimulatorStatistics statistics = simulator.Statistics;
        IReadOnlyList<ChargeRecord> log = statistics.GetChargeLog();

        // The binding limit is the one whose enforcement needs the longest run for what the workload consumed;
        // its share is everything the simulator counted on it (429s it charges included) over what it allowed.
        RateLimitDimension? binding = null;
        double shortest = 0;
        double share = 0;
        double bestShare = 1;
        foreach (RateLimitDimension dimension in Enum.GetValues<RateLimitDimension>())
        {
            if (profile.Limits[dimension] is not long limit)
            {
                continue;
            }

            TimeSpan window = dimension is RateLimitDimension.RequestsPerDay or RateLimitDimension.TokensPerDay ? TimeSpan.FromDays(1) : TimeSpan.FromMinutes(1);
            // A refused-charge entry names a component (requests, tokens) that several dimensions count; it counts
            // on this one only where the profile charges refusals to it.
            double consumed = log.Where(r => r.Kind != ChargeKind.RefusedCharge).Sum(r => (double)r.AmountOf(dimension));
            double counted = consumed + (accounting[dimension].ChargeRefused ? log.Where(r => r.Kind == ChargeKind.RefusedCharge).Sum(r => (double)r.AmountOf(dimension)) : 0);
            double offset = (startedAt.UtcTicks % accounting[dimension].Period.Ticks) / (double)TimeSpan.TicksPerSecond;
            double needed = EnforcementCapacity.ShortestSeconds(limit, window, accounting[dimension], consumed, offset);
            double dimensionShare = counted / EnforcementCapacity.Allowed(limit, window, accounting[dimension], client.WallSeconds, offset);
            if (binding is null || needed > shortest || (needed == shortest && dimensionShare > share))
            {
                binding = dimension;
                shortest = needed;
                share = dimensionShare;

                // What the shortest run itself reaches: below 1 where the workload ends inside a window or log period
                // (the enforcement admits the whole period once it has begun, and nothing was left to send in it).
                bestShare = Math.Min(1, consumed / EnforcementCapacity.Allowed(limit, window, accounting[dimension], needed + 1e-6, offset));
            }
        }

        // Which enforcement refused, as the simulator counted it: the first question about any 429.
        string refusedBy = string.Join(", ", Enum.GetValues<RateLimitDimension>()
            .Where(d => statistics.RateLimitedBy(d) > 0)
            .Select(d => $"{statistics.RateLimitedBy(d)} by {d}"));
        if (refusedBy.Length > 0)
        {
            notes += $"; simulator's 429s: {refusedBy}";
        }

        return new FidelityResult(profile, contender.Name, notes, client, timedOut, statistics.Requests, statistics.RateLimited, statistics.Admitted, binding, share, bestShare, shortest, statistics.CacheReadTokens);
    }
}
