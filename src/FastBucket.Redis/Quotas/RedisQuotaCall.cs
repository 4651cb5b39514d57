using System.Globalization;
using FastBucket.Quotas;
using StackExchange.Redis;

namespace FastBucket.Redis;

/// <summary>
/// The arguments of one <see cref="RedisQuotaScript"/> call, by name: the script reads them under <see cref="Names"/>,
/// in this order, so no caller indexes a slot. Per-dimension values are in <see cref="QuotaDimension"/> order.
/// </summary>
internal sealed record RedisQuotaCall
{
    /// <summary>The argument names, in ARGV order; written into the script.</summary>
    internal static readonly string[] Names =
        ["op", "now", "headroom", "margin", "limits", "maxconc", "amounts", "lease", "leasems", "released", "learned", "evidence", "epoch", "lowerto", "hold", "exhfor", "code", "daystart", "dayend", "exhdays", "bursts", "windows", "second", "answer", "moved", "shrink", "shape", "answered", "probe", "forget"];

    /// <summary>A call of <paramref name="operation"/> with what every call carries: the clock, the headroom, this process's limits, the lease duration.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="configured">This process's limits.</param>
    /// <param name="burstHeadroom">The burst headroom.</param>
    /// <param name="options">The quota's options (the clock seam, the lease duration).</param>
    /// <param name="time">The clock.</param>
    /// <param name="day">The provider's current calendar day, where per-day limits count them; <see langword="null"/> for rolling days.</param>
    /// <param name="bursts">Per shrink level (separated by <c>|</c>), per rate dimension, the share of its window one burst holds, comma-separated (0 or empty: no burst rule).</param>
    /// <param name="windows">Per rate dimension, 1 where it keeps the window rule (at most the limit in any window), comma-separated, then after <c>;</c> the expiry margin in µs; empty for none.</param>
    internal static RedisQuotaCall Create(string operation, QuotaLimits configured, double burstHeadroom, RedisQuotaOptions options, TimeProvider time, FastBucket.Quotas.Windows.CalendarDay? day, string bursts, string windows) => new()
    {
        Operation = operation,
        ClientNowMicroseconds = options.UseClientClock ? Microseconds(time.GetUtcNow()) : null,
        BurstHeadroom = burstHeadroom,
        Limits = [.. QuotaDimensions.RateRows.Select(r => r.LimitOf(configured) ?? 0)],
        MaxConcurrency = configured.MaxConcurrency ?? 0,
        LeaseDuration = options.ConcurrencyLeaseDuration,
        DayStartMicroseconds = day is { } d ? Microseconds(d.Start) : null,
        DayEndMicroseconds = day is { } e ? Microseconds(e.End) : null,
        Bursts = bursts,
        Windows = windows,
    };

    private static long Microseconds(DateTimeOffset instant) => (instant - DateTimeOffset.UnixEpoch).Ticks / 10;

    /// <summary>The operation (<see cref="RedisQuotaScript.Reserve"/>...).</summary>
    internal required string Operation { get; init; }

    /// <summary>"Now" in µs since the epoch from the client's clock (a test seam), or <see langword="null"/> for the server's <c>TIME</c>.</summary>
    internal long? ClientNowMicroseconds { get; init; }

    /// <summary>The burst headroom.</summary>
    internal double BurstHeadroom { get; init; }

    /// <summary>How much sooner than the capacity allows a reservation must fit, in µs: the latency margin.</summary>
    internal long MarginMicroseconds { get; init; }

    /// <summary>This process's limits per rate dimension (0: none); a learned limit in Redis takes precedence.</summary>
    internal required long[] Limits { get; init; }

    /// <summary>The shared concurrency limit (0: none).</summary>
    internal int MaxConcurrency { get; init; }

    /// <summary>Per dimension: the cost to reserve, or the deltas to adjust by.</summary>
    internal long[]? Amounts { get; init; }

    /// <summary>The lease to take (reserve) or free (adjust), or <see langword="null"/>.</summary>
    internal string? Lease { get; init; }

    /// <summary>How long a lease lives.</summary>
    internal TimeSpan LeaseDuration { get; init; }

    /// <summary>Further leases to free (adjust): releases held back while Redis was unreachable, or reservations whose answer timed out.</summary>
    internal IReadOnlyCollection<string>? Released { get; init; }

    /// <summary>Observe: limits the provider reported, per dimension (0: none).</summary>
    internal long[]? Learned { get; init; }

    /// <summary>Observe: evidence baselines per dimension (<see cref="QuotaAdaptationPlan"/>).</summary>
    internal long?[]? Evidence { get; init; }

    /// <summary>Observe: the hash generation the evidence was measured against.</summary>
    internal long Epoch { get; init; }

    /// <summary>Observe: levels to lower to, per dimension.</summary>
    internal long?[]? LowerTo { get; init; }

    /// <summary>Observe: hold the quota closed this long.</summary>
    internal TimeSpan Hold { get; init; }

    /// <summary>Observe: mark exhausted for this long; <see cref="Timeout.InfiniteTimeSpan"/> for "no reset given".</summary>
    internal TimeSpan? ExhaustedFor { get; init; }

    /// <summary>Observe: the exhaustion's code.</summary>
    internal string? Code { get; init; }

    /// <summary>
    /// Where the provider counts calendar days, the current day's first instant in µs since the epoch (by this process's
    /// clock): the per-day dimensions count from it, without refill, and start full from the next; else <see langword="null"/>.
    /// </summary>
    internal long? DayStartMicroseconds { get; init; }

    /// <summary>The next day's first instant in µs since the epoch, with <see cref="DayStartMicroseconds"/>: what a full per-day dimension waits for.</summary>
    internal long? DayEndMicroseconds { get; init; }

    /// <summary>Per shrink level (separated by <c>|</c>, from the configured shape to the shortest period), per rate dimension, the share of its window one burst holds, comma-separated (0 or empty: no burst rule; see <see cref="RedisQuotaOptions.Windowing"/>).</summary>
    internal string? Bursts { get; init; }

    /// <summary>Per rate dimension, 1 where the window rule applies (at most the limit in any window), comma-separated, then after <c>;</c> the expiry margin in µs.</summary>
    internal string? Windows { get; init; }

    /// <summary>Adjust: the second (µs since the epoch / 10^6) the reservation was granted in, where its window-rule charges are counted; null when unknown.</summary>
    internal long? Second { get; init; }

    /// <summary>Adjust: the second the provider answered in, where the window rule counts <see cref="Moved"/> from now on (later than <see cref="Second"/>); null for no move.</summary>
    internal long? AnswerSecond { get; init; }

    /// <summary>Adjust: per dimension, the reservation's final charge, moved under the window rule from <see cref="Second"/> to <see cref="AnswerSecond"/>.</summary>
    internal long[]? Moved { get; init; }

    /// <summary>
    /// Observe: a 429 came while the provider reported room, for a request sent this many µs ago: the burst shrinks one
    /// level (a learned bucket returns to the safe shape) unless a shrink already started after that send (the same
    /// congestion event, seen by this process or another); <see langword="null"/> for none.
    /// </summary>
    internal long? ShrinkSentAgoMicroseconds { get; init; }

    /// <summary>
    /// Observe: this process's reading of the provider's resets changed (see
    /// <see cref="FastBucket.Quotas.Windows.ContinuousRefillDetector"/>): <see langword="true"/> a continuously refilled
    /// bucket (the burst and window rules stop refusing, unless a refused burst ended that reading for good),
    /// <see langword="false"/> not one after all (back to the safe shape, its burst shrunk, for good).
    /// </summary>
    internal bool? Continuous { get; init; }

    /// <summary>Observe: the provider answered (this process's first answer): a new quota's cold hold ends, for every process.</summary>
    internal bool Answered { get; init; }

    /// <summary>
    /// Reserve: this process's limits are assumed (a catalog's defaults): while a fresh quota waits for its first answer
    /// (at most <see cref="LlmQuota.ColdRefillHold"/>), one request at a time across every process. Adjust: the
    /// reservation ending was that probe.
    /// </summary>
    internal bool Probe { get; init; }

    /// <summary>
    /// Observe: per rate dimension, what a success reported remaining when it admitted the answered reservation, what
    /// was in flight here before it (possibly unseen), and the reservation's own charge, as <c>remaining:unseen:own</c>
    /// (empty where none); the reservation's grant second is <see cref="Second"/>. Where the window rule holds more of
    /// the charges before it than the provider counts, the oldest are forgotten (see the script's forget).
    /// </summary>
    internal string? Forget { get; init; }

    /// <summary>Observe: use up the per-day dimensions until the day ends (a per-day quota ran out).</summary>
    internal bool ExhaustDays { get; init; }

    /// <summary>This call carrying what <paramref name="plan"/> decided (an observe call).</summary>
    internal RedisQuotaCall Carrying(QuotaAdaptationPlan plan)
    {
        var rate = QuotaDimensions.RateRows;
        return this with
        {
            Learned = plan.Reported is { } reported ? [.. rate.Select(r => r.LimitOf(reported) ?? 0)] : null,
            Evidence = [.. rate.Select(r => plan.Evidence(r.Dimension))],
            Epoch = plan.Epoch,
            LowerTo = [.. rate.Select(r => plan.LowerTo(r.Dimension))],
            Hold = plan.Hold ?? TimeSpan.Zero,
            ExhaustedFor = plan.Exhaustion is { } e ? e.ResetsAfter ?? Timeout.InfiniteTimeSpan : null,
            Code = plan.Exhaustion?.Code,
            ExhaustDays = plan.ExhaustDays,
        };
    }

    /// <summary>The ARGV list, in <see cref="Names"/> order.</summary>
    internal RedisValue[] ToArguments()
    {
        var args = new RedisValue[]
        {
            Operation,
            ClientNowMicroseconds is { } now ? now.ToString(CultureInfo.InvariantCulture) : string.Empty,
            BurstHeadroom.ToString("R", CultureInfo.InvariantCulture),
            MarginMicroseconds,
            Csv(Limits),
            MaxConcurrency,
            Csv(Amounts),
            Lease ?? string.Empty,
            (long)LeaseDuration.TotalMilliseconds,
            Released is { Count: > 0 } released ? string.Join(',', released) : string.Empty,
            Csv(Learned),
            Csv(Evidence),
            Epoch,
            Csv(LowerTo),
            (long)Math.Ceiling(Hold.TotalMicroseconds),
            ExhaustedFor is not { } e ? string.Empty : e == Timeout.InfiniteTimeSpan ? "-1" : ((long)Math.Ceiling(e.TotalMicroseconds)).ToString(CultureInfo.InvariantCulture),
            Code ?? string.Empty,
            DayStartMicroseconds is { } start ? start.ToString(CultureInfo.InvariantCulture) : string.Empty,
            DayEndMicroseconds is { } end ? end.ToString(CultureInfo.InvariantCulture) : string.Empty,
            ExhaustDays ? "1" : string.Empty,
            Bursts ?? string.Empty,
            Windows ?? string.Empty,
            Second is { } second ? second.ToString(CultureInfo.InvariantCulture) : string.Empty,
            AnswerSecond is { } answer ? answer.ToString(CultureInfo.InvariantCulture) : string.Empty,
            Csv(Moved),
            ShrinkSentAgoMicroseconds is { } ago ? ago.ToString(CultureInfo.InvariantCulture) : string.Empty,
            Continuous switch { true => "1", false => "0", null => string.Empty },
            Answered ? "1" : string.Empty,
            Probe ? "1" : string.Empty,
            Forget ?? string.Empty,
        };
        System.Diagnostics.Debug.Assert(args.Length == Names.Length, "one value per named argument");
        return args;
    }

    private static string Csv(long[]? values) => values is null ? string.Empty : string.Join(',', values.Select(v => v.ToString(CultureInfo.InvariantCulture)));

    private static string Csv(long?[]? values) => values is null ? string.Empty : string.Join(',', values.Select(v => v?.ToString(CultureInfo.InvariantCulture) ?? string.Empty));
}
