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
        string? chargeLogDirectory,
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
        if (chargeLogDirectory is not null)
        {
            Directory.CreateDirectory(chargeLogDirectory);
            string name = string.Concat($"{profile.Name}.{contender.Name}.log".Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
            await File.WriteAllLinesAsync(Path.Combine(chargeLogDirectory, name), log.Select(r => r.ToString()), CancellationToken.None);
        }

        // The binding limit is the one whose enforcement needs the longest run for what the workload consumed;
        // its share is everything the simulator counted on it (429s it charges included) over what it allowed.
        static TimeSpan WindowOf(RateLimitDimension d) => d is RateLimitDimension.RequestsPerDay or RateLimitDimension.TokensPerDay ? TimeSpan.FromDays(1) : TimeSpan.FromMinutes(1);
        var consumedBy = Enum.GetValues<RateLimitDimension>().ToDictionary(d => d, d => log.Where(r => r.Kind != ChargeKind.RefusedCharge).Sum(r => (double)r.AmountOf(d)));
        double Consumed(RateLimitDimension d) => consumedBy[d];
        double OffsetOf(RateLimitDimension d) => (startedAt.UtcTicks % accounting[d].Period.Ticks) / (double)TimeSpan.TicksPerSecond;

        // What a run of `seconds` reaches on a dimension where it consumed all it did: below 1 where the workload ends
        // inside a window or log period (the enforcement admits the whole period once it has begun).
        double ShareOver(RateLimitDimension d, long limit, double seconds) =>
            Math.Min(1, Consumed(d) / EnforcementCapacity.Allowed(limit, WindowOf(d), accounting[d], seconds + 1e-6, OffsetOf(d)));

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

            // A refused-charge entry names a component (requests, tokens) that several dimensions count; it counts
            // on this one only where the profile charges refusals to it.
            double counted = Consumed(dimension) + (accounting[dimension].ChargeRefused ? log.Where(r => r.Kind == ChargeKind.RefusedCharge).Sum(r => (double)r.AmountOf(dimension)) : 0);
            double needed = EnforcementCapacity.ShortestSeconds(limit, WindowOf(dimension), accounting[dimension], Consumed(dimension), OffsetOf(dimension));
            double dimensionShare = counted / EnforcementCapacity.Allowed(limit, WindowOf(dimension), accounting[dimension], client.WallSeconds, OffsetOf(dimension));
            if (binding is null || needed > shortest || (needed == shortest && dimensionShare > share))
            {
                binding = dimension;
                shortest = needed;
                share = dimensionShare;
                bestShare = ShareOver(dimension, limit, needed);
            }
        }

        // The shortest run is judged against every limit at once: the binding one's own bound may need what another
        // limit never admits in time (Azure's 60,000 tokens in a window's first second, past its 60 requests per 10 s).
        if (binding is { } bound && profile.Limits[bound] is long boundLimit
            && JointShortestRun.Seconds(profile, accounting, log, consumedBy, startedAt) is var joint && joint > shortest)
        {
            shortest = joint;
            bestShare = ShareOver(bound, boundLimit, joint);
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
