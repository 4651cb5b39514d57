namespace FastBucket.Quotas;

/// <summary>
/// What a quota store must do about one response, as <see cref="QuotaPolicy.Plan"/> decided it: the stores
/// (<see cref="LlmQuota"/> in process, the Redis quota across processes) only carry it out, so the rules live once.
/// </summary>
/// <remarks>
/// Evidence of consumption made elsewhere is given as a <b>baseline</b> per dimension: the store lowers the dimension by
/// <c>baseline − (everything reserved on it so far) − (everything lowered on it so far)</c> when that is positive, with
/// its own counters read at the moment it applies the plan (atomically, in Redis). The totals the reservation's mark
/// recorded are already folded into the baseline, so the rule is one subtraction wherever it runs.
/// </remarks>
internal sealed class QuotaAdaptationPlan
{
    private readonly long?[] _evidence = new long?[QuotaDimensions.RateCount];
    private readonly long?[] _lowerTo = new long?[QuotaDimensions.RateCount];
    private readonly TimeSpan?[] _freesAfter = new TimeSpan?[QuotaDimensions.RateCount];
    private readonly (long Remaining, long UnseenBefore)?[] _remainingAtAdmission = new (long, long)?[QuotaDimensions.RateCount];

    /// <summary>The limits to enforce from now on (learned from the provider, or set by discovery), or <see langword="null"/> for no change.</summary>
    internal QuotaLimits? Limits { get; set; }

    /// <summary>Only the limits the provider itself reported (every other dimension <see langword="null"/>): what a shared store shares with every process.</summary>
    internal QuotaLimits? Reported { get; set; }

    /// <summary>The counters' generation the evidence was measured against (see <see cref="ReservationMark.Epoch"/>); a store whose counters restarted since ignores the evidence.</summary>
    internal long Epoch { get; set; }

    /// <summary>Hold the whole quota closed this long (a rate-limit error), or <see langword="null"/>.</summary>
    internal TimeSpan? Hold { get; set; }

    /// <summary>Fail every reservation fast with this exhaustion, or <see langword="null"/>.</summary>
    internal QuotaExhaustion? Exhaustion { get; set; }

    /// <summary>Use up the per-day windows too (a per-day quota ran out: nothing more until the provider's next day).</summary>
    internal bool ExhaustDays { get; set; }

    /// <summary>
    /// When the rejected request was sent (a timestamp), if a 429 came while the provider reported room: shrink the
    /// burst of the safe-shape windows, once per congestion event. <see langword="null"/> for no change.
    /// </summary>
    internal long? ShrinkBurstSentAt { get; set; }

    /// <summary>
    /// When the request a retryable 429 answered was sent (a timestamp): halve the request pace, once per congestion
    /// event (see <see cref="Congestion.RequestPace"/>). <see langword="null"/> where discovery's own AIMD governs.
    /// </summary>
    internal long? RateLimitedSentAt { get; set; }

    /// <summary>When a request that succeeded was sent (a timestamp): grow the request pace back by one request.</summary>
    internal long? SucceededSentAt { get; set; }

    /// <summary>
    /// What the response's resets say about a continuously refilled bucket (see
    /// <see cref="Windows.ContinuousRefillDetector.Matches"/>), or <see langword="null"/> when they say nothing either
    /// way. Each process reads it on its own (the Redis quota then shares its verdict).
    /// </summary>
    internal Windows.RefillEvidence? Refill { get; set; }

    /// <summary>
    /// Whether the plan changes what each process keeps for itself: the request pace (a store that shares its counts
    /// needs none) and the reading of the window shape's evidence.
    /// </summary>
    internal bool MovesLocalState => RateLimitedSentAt is not null || SucceededSentAt is not null || Refill is not null;

    /// <summary>Whether the plan changes nothing but, at most, what <see cref="MovesLocalState"/> names.</summary>
    internal bool IsEmpty
    {
        get
        {
            if (Limits is not null || Reported is not null || Hold is not null || Exhaustion is not null || ExhaustDays || ShrinkBurstSentAt is not null)
            {
                return false;
            }

            for (int d = 0; d < QuotaDimensions.RateCount; d++)
            {
                if (_evidence[d] is not null || _lowerTo[d] is not null || _remainingAtAdmission[d] is not null)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Empties the plan, for a store that fills one plan per response instead of allocating one.</summary>
    internal void Clear()
    {
        Limits = null;
        Reported = null;
        Epoch = 0;
        Hold = null;
        Exhaustion = null;
        ExhaustDays = false;
        ShrinkBurstSentAt = null;
        RateLimitedSentAt = null;
        SucceededSentAt = null;
        Refill = null;
        Array.Clear(_evidence);
        Array.Clear(_lowerTo);
        Array.Clear(_freesAfter);
        Array.Clear(_remainingAtAdmission);
    }

    /// <summary>The evidence baseline of one rate dimension (see the remarks), or <see langword="null"/>.</summary>
    internal long? Evidence(QuotaDimension dimension) => _evidence[(int)dimension];

    /// <summary>The level one rate dimension must be lowered to (never raised), or <see langword="null"/>.</summary>
    internal long? LowerTo(QuotaDimension dimension) => _lowerTo[(int)dimension];

    /// <summary>
    /// When what the evidence or a lowering takes from one dimension frees again (the provider's reset), for windows that
    /// free charges at instants; <see langword="null"/>: their own window.
    /// </summary>
    internal TimeSpan? FreesAfter(QuotaDimension dimension) => _freesAfter[(int)dimension];

    /// <summary>
    /// What the provider reported remaining on one dimension when it admitted the answered request, and what was in
    /// flight before that request (possibly not counted yet), for a store that keeps its charges apart to forget those
    /// the provider no longer counts (see <see cref="Windows.SlidingWindowLog.Forget"/>); <see langword="null"/> for none.
    /// A store whose windows refill continuously (a token bucket, the Redis quota's cells) needs no forgetting; the Redis
    /// quota's window rule forgets per second.
    /// </summary>
    internal (long Remaining, long UnseenBefore)? RemainingAtAdmission(QuotaDimension dimension) => _remainingAtAdmission[(int)dimension];

    internal void SetEvidence(QuotaDimension dimension, long baseline) => _evidence[(int)dimension] = baseline;

    internal void SetRemainingAtAdmission(QuotaDimension dimension, long remaining, long unseenBefore) =>
        _remainingAtAdmission[(int)dimension] = (remaining, unseenBefore);

    internal void SetFreesAfter(QuotaDimension dimension, TimeSpan after) =>
        _freesAfter[(int)dimension] = _freesAfter[(int)dimension] is { } current && current > after ? current : after;

    internal void LowerToAtMost(QuotaDimension dimension, long level) =>
        _lowerTo[(int)dimension] = _lowerTo[(int)dimension] is { } current ? Math.Min(current, level) : level;

    /// <summary>By how much the evidence lowers a dimension whose counters are <paramref name="reservedTotal"/> and <paramref name="loweredTotal"/> now: the one subtraction every store makes.</summary>
    internal static long LowerBy(long baseline, long reservedTotal, long loweredTotal) => Math.Max(0, baseline - reservedTotal - loweredTotal);
}
