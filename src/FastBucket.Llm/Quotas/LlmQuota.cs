using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using FastBucket.Providers;
using FastBucket.Quotas.Windows;
using FastBucket.Waiters;

namespace FastBucket.Quotas;

/// <summary>
/// The limits of one provider account on one model, enforced together: one window per limited dimension (requests,
/// tokens, input and output tokens per minute; requests and tokens per day) and a lock-free concurrency count. A
/// request reserves its estimated cost on every dimension at once, all or nothing, and reconciles with the real usage
/// when it completes.
/// </summary>
/// <remarks>
/// <para><b>Windows.</b> How each dimension counts over time follows <see cref="Windowing"/>: a lock-free
/// <see cref="TokenBucket"/> where the provider documents a continuously refilled bucket, the safe shape (at most the
/// limit in any minute and its share of a shorter burst period) where it documents windows or shorter periods, or
/// says nothing (until, where it says nothing, its own resets show a continuously refilled bucket: see
/// <see cref="QuotaWindowing.DetectsContinuousBucket"/>); and per-day limits over calendar days of the provider's
/// time zone. A quota created directly counts
/// every dimension as a token bucket (<see cref="QuotaWindowing.Continuous"/>) and per-day limits over the provider's
/// documented days; <see cref="QuotaRegistry"/> uses each provider's documented windowing.</para>
/// <para><b>All or nothing.</b> A reservation takes each dimension in turn with a CAS and gives back what it took if
/// a later dimension refuses, so no dimension stays charged for a request that was refused. Waiting is FIFO on the
/// quota as a whole: one queue, one timer armed for the instant the head's every dimension will have room, so
/// waiting on several dimensions cannot deadlock, and a large request is not starved by small ones (while anyone
/// waits, <see cref="TryReserve(RequestCost, out QuotaReservation?, out TimeSpan)"/> refuses rather than barge).</para>
/// <para><b>Reservation policy.</b> <see cref="QuotaReservation.Complete"/> refunds what was reserved but not used and
/// charges overruns as debt; <see cref="QuotaReservation.Cancel"/> (the request was never sent) refunds everything;
/// disposing a reservation without either keeps the whole charge, since the request may have reached the provider.</para>
/// </remarks>
public sealed class LlmQuota : ILlmQuota, IAssumedLimitsProbe, IQuotaReservationOwner, IWaiterHost<PendingReservation>, IAsyncDisposable
{
    internal const int DimensionCount = QuotaDimensions.RateCount;

    /// <summary>The ticket of no charge: adjusting it changes nothing on windows that name their charges.</summary>
    internal const long NoTicket = -1;

    // The plan Observe fills on this thread (see Observe): a response's adaptation allocates none.
    [ThreadStatic]
    private static QuotaAdaptationPlan? t_plan;

    private readonly QuotaWindow?[] _windows = new QuotaWindow?[DimensionCount];
    private readonly long[] _inFlightTokens = new long[DimensionCount];

    // Everything ever reserved, per dimension: a reservation remembers these totals when it is granted, so that when
    // its response arrives the quota knows what was reserved after it (what the server had not seen yet).
    private readonly long[] _reservedTotals = new long[DimensionCount];
    private readonly long[] _loweredTotals = new long[DimensionCount];
    private readonly WaiterQueue<PendingReservation> _waiters;
    private readonly object _limitsGate = new();
    private int _maxConcurrency;
    private int _inFlight;
    private long _closedUntil;
    private QuotaExhaustedException? _exhaustion;
    private long _exhaustedUntil;
    private QuotaLimits _limits;
    private readonly QuotaPolicy _policy;
    private readonly Congestion.CongestionEvent _burstEvents = new();
    private readonly Congestion.RequestPace _pace = new();
    private readonly ContinuousRefillDetector _refill;

    // When the first answer arrived (a timestamp); long.MaxValue before.
    private long _firstAnswerAt = long.MaxValue;

    // Until the first answer, and at most until this timestamp, the windows' refilling bursts earn nothing.
    private long _coldUntil;

    // While limits are assumed (see ProbeUntilFirstAnswer): one request at a time until this timestamp or the first
    // answer, whichever comes first; long.MinValue when there is no such gate (the one read on the hot path).
    private long _probeUntil = long.MinValue;

    /// <summary>Creates a quota for <paramref name="key"/> with <paramref name="limits"/>.</summary>
    /// <param name="key">Whose limits these are.</param>
    /// <param name="limits">The limits; a <see langword="null"/> dimension is not limited. Each limit must be at least 1.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="maxQueuedRequests">Most requests waiting at once; more are refused with <see cref="QueueLimitExceededException"/>.</param>
    /// <param name="burstHeadroom">
    /// The share of each limit held back from the burst (0 to 0.5; default 0): each bucket holds <c>limit × (1 − headroom)</c>
    /// and refills at the full limit per window. The server counts a request when it arrives, we when it leaves; jitter
    /// in between can bunch requests that left evenly spaced, and the headroom absorbs it (1% absorbs 0.6 s of jitter on
    /// a per-minute limit). The sustained rate stays the full limit; only the first burst is smaller. Applies to
    /// token-bucket windows; the safe shape caps the burst itself.
    /// </param>
    /// <param name="windowing">How each dimension counts over time; <see langword="null"/> for token buckets, with per-day
    /// limits over the provider's documented days (see <see cref="QuotaWindowing.For"/>).</param>
    public LlmQuota(QuotaKey key, QuotaLimits limits, TimeProvider? timeProvider = null, int maxQueuedRequests = int.MaxValue, double burstHeadroom = 0, QuotaWindowing? windowing = null)
        : this(key, limits, timeProvider, maxQueuedRequests, burstHeadroom, windowing, discovery: null)
    {
    }

    private LlmQuota(QuotaKey key, QuotaLimits limits, TimeProvider? timeProvider, int maxQueuedRequests, double burstHeadroom, QuotaWindowing? windowing, QuotaDiscovery? discovery)
    {
        Discovery = discovery;
        windowing?.Validate();
        Windowing = windowing ?? QuotaWindowing.Continuous with { DayTimeZone = QuotaWindowing.For(key.Provider).DayTimeZone };
        _policy = new QuotaPolicy(key, burstHeadroom, timeProvider, Windowing.DayTimeZone);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxQueuedRequests);
        Key = key;
        TimeProvider = _policy.TimeProvider;
        _limits = QuotaLimits.Unlimited;
        _maxConcurrency = int.MaxValue;
        _waiters = new WaiterQueue<PendingReservation>(this, TimeProvider, static p => p.Cost.Requests, maxQueuedRequests, long.MaxValue);
        _refill = new ContinuousRefillDetector(TimeProvider);
        _coldUntil = TimeProvider.GetTimestamp() + (long)(ColdRefillHold.TotalSeconds * TimeProvider.TimestampFrequency);
        SetLimits(limits);
    }

    /// <summary>
    /// Creates a quota in discovery mode: no configured limits; it starts conservatively and learns them from the
    /// provider's responses (see <see cref="Observe"/>).
    /// </summary>
    /// <param name="key">Whose limits these are.</param>
    /// <param name="maxConcurrency">The concurrency to allow once limits are known; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="initialRequestsPerMinute">Where additive increase starts for a provider that reports no limits (Gemini).</param>
    /// <param name="burstHeadroom">As in the constructor.</param>
    /// <param name="windowing">As in the constructor.</param>
    public static LlmQuota CreateDiscovering(QuotaKey key, int? maxConcurrency = null, TimeProvider? timeProvider = null, long initialRequestsPerMinute = 10, double burstHeadroom = 0, QuotaWindowing? windowing = null)
    {
        var discovery = QuotaDiscovery.For(key, maxConcurrency, initialRequestsPerMinute);
        return new LlmQuota(key, discovery.Initial, timeProvider, int.MaxValue, burstHeadroom, windowing, discovery);
    }

    /// <summary>Whose limits these are.</summary>
    public QuotaKey Key { get; }

    /// <summary>How each dimension counts over time.</summary>
    public QuotaWindowing Windowing { get; }

    /// <summary>Whether this quota learns its limits from the provider (discovery mode).</summary>
    public bool IsDiscovering => Discovery is not null;

    internal QuotaDiscovery? Discovery { get; }

    /// <summary>
    /// The limit of a window that only counts (see <see cref="QuotaDiscovery.TracksUnlimited"/>): far above any
    /// provider's per-minute limit, so it never refuses, and small enough for the windows' arithmetic.
    /// </summary>
    internal const long TrackingLimit = 1_000_000_000;

    /// <summary>
    /// The longest a new quota's refilling bursts wait for its first answer before they refill: what we take before it
    /// may reach the provider at once (the first sends wait for connections and JIT, then go together), while the
    /// provider's quantum refills only from then; long enough for a handshake and a first call, short next to a
    /// non-streamed answer that comes only when the whole reply is written. It bounds the probe of assumed limits too
    /// (<see cref="ProbeUntilFirstAnswer"/>).
    /// </summary>
    internal static readonly TimeSpan ColdRefillHold = TimeSpan.FromSeconds(2);

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The limits in force (configured, or learned from the provider's responses).</summary>
    public QuotaLimits Limits => Volatile.Read(ref _limits);

    /// <summary>Requests reserved and not yet completed, canceled or disposed.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Requests waiting for room.</summary>
    public int QueuedCount => _waiters.Count;

    /// <summary>Until when the quota is held closed after a rate-limit response, or <see langword="null"/>.</summary>
    public DateTimeOffset? ClosedUntil
    {
        get
        {
            long until = Volatile.Read(ref _closedUntil);
            long now = TimeProvider.GetTimestamp();
            return until > now ? TimeProvider.GetUtcNow() + TimeProvider.GetElapsedTime(now, until) : null;
        }
    }

    /// <summary>
    /// The level of one dimension now, or <see langword="null"/> if it is not limited. For
    /// <see cref="QuotaDimension.Concurrency"/>, the free slots: one less what is in flight while assumed limits are
    /// probed (see <see cref="ProbeUntilFirstAnswer"/>).
    /// </summary>
    public long? Available(QuotaDimension dimension) => dimension == QuotaDimension.Concurrency
        ? (MaxConcurrencyNow() is var max && max == int.MaxValue ? null : max - InFlight)
        : QuotaDimensions.LimitOf(Limits, dimension) is null ? null : Window(dimension)?.Available;

    /// <summary>The window behind one dimension, or <see langword="null"/> if it is not limited.</summary>
    internal QuotaWindow? Window(QuotaDimension dimension) =>
        dimension == QuotaDimension.Concurrency ? null : Volatile.Read(ref _windows[(int)dimension]);

    /// <summary>
    /// Reserves <paramref name="cost"/> on every dimension at once if there is room now and nobody waits; never waits.
    /// </summary>
    /// <param name="cost">The request's cost; each part must fit its dimension's capacity.</param>
    /// <param name="reservation">The reservation, to complete with the real usage.</param>
    /// <param name="retryAfter">When refused, how long until every dimension would have room (ignoring other demand).</param>
    /// <exception cref="ArgumentOutOfRangeException">A part of <paramref name="cost"/> exceeds its dimension's capacity: it could never be granted.</exception>
    /// <exception cref="QuotaExhaustedException">The provider reported a non-retryable exhaustion that has not reset yet.</exception>
    public bool TryReserve(RequestCost cost, [NotNullWhen(true)] out QuotaReservation? reservation, out TimeSpan retryAfter)
    {
        Validate(cost);
        Span<long> tickets = stackalloc long[DimensionCount];
        if (_waiters.Count == 0 && TryTakeAll(cost, tickets))
        {
            reservation = NewReservation(cost, tickets);
            retryAfter = TimeSpan.Zero;
            return true;
        }

        reservation = null;
        var wait = TimeUntilAll(cost);
        retryAfter = wait == Timeout.InfiniteTimeSpan || wait <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : wait;
        return false;
    }

    /// <summary>Reserves <paramref name="cost"/>, waiting in FIFO order until every dimension has room.</summary>
    /// <param name="cost">The request's cost; each part must fit its dimension's capacity, else this fails at once.</param>
    /// <param name="cancellationToken">Cancels the wait; a canceled wait never keeps anything.</param>
    /// <exception cref="ArgumentOutOfRangeException">A part of <paramref name="cost"/> exceeds its dimension's capacity.</exception>
    /// <exception cref="QuotaExhaustedException">The provider reported a non-retryable exhaustion.</exception>
    /// <exception cref="QueueLimitExceededException">Too many requests wait already.</exception>
    public ValueTask<QuotaReservation> ReserveAsync(RequestCost cost, CancellationToken cancellationToken = default)
    {
        Validate(cost);
        Span<long> tickets = stackalloc long[DimensionCount];
        if (_waiters.Count == 0 && TryTakeAll(cost, tickets))
        {
            return new ValueTask<QuotaReservation>(NewReservation(cost, tickets));
        }

        var charges = new ReservationCharges(this);
        var pending = _waiters.EnqueueAsync(new PendingReservation(cost, charges), Timeout.InfiniteTimeSpan, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? new ValueTask<QuotaReservation>(NewReservation(cost, charges))
            : AwaitReservation(pending, cost, charges);
    }

    /// <summary>
    /// Changes the limits, keeping each dimension's level (clamped to its new capacity). A dimension that becomes
    /// limited starts full; one that becomes unlimited is dropped.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is below 1.</exception>
    public void SetLimits(QuotaLimits limits)
    {
        _policy.ValidateLimits(limits);
        lock (_limitsGate)
        {
            for (int d = 0; d < DimensionCount; d++)
            {
                var dimension = (QuotaDimension)d;
                var row = QuotaDimensions.Of(dimension);
                var limit = row.LimitOf(limits);
                if (limit is null && Discovery is { TracksUnlimited: true } && !Windowing.ContinuousBucket && row.Window == TimeSpan.FromMinutes(1))
                {
                    // Counted, not limited: a limit a 429 states later starts from what the provider counted, freeing
                    // as each send leaves the minute (a bucket keeps no times, so only the safe shape's log tracks).
                    limit = TrackingLimit;
                }

                var window = _windows[d];
                if (limit is null)
                {
                    // Not disposed: a reservation on another thread may still be taking from it.
                    Volatile.Write(ref _windows[d], null);
                }
                else if (window is null)
                {
                    var created = Windowing.CreateWindow(dimension, limit.Value, TimeProvider, _policy.BurstHeadroom);
                    if (Volatile.Read(ref _firstAnswerAt) == long.MaxValue)
                    {
                        created.HoldRefillUntil(_coldUntil);
                    }

                    if (created is ShapeLearningWindow learning && _refill.Continuous == true)
                    {
                        learning.BecomeBucket();
                    }

                    if (dimension == QuotaDimension.RequestsPerMinute)
                    {
                        var paced = new PacedWindow(created, TimeProvider);
                        paced.SetPace(_pace.Share);
                        created = paced;
                    }

                    Volatile.Write(ref _windows[d], created);
                }
                else if (window.Limit != limit.Value)
                {
                    window.SetLimit(limit.Value);
                    (window as PacedWindow)?.SetPace(_pace.Share);
                }
            }

            Volatile.Write(ref _maxConcurrency, limits.MaxConcurrency ?? int.MaxValue);
            Volatile.Write(ref _limits, limits);
        }

        _waiters.Drain();
    }

    /// <summary>
    /// Adapts to what the provider said about one response: learns limits, brings levels to the reported remaining
    /// (lowered on use made elsewhere; in the safe shape's log, raised by forgetting charges the provider no longer
    /// counts; both allowing for requests in flight), holds the quota closed after a rate-limit error until the server's wait has
    /// passed, and fails fast after a non-retryable exhaustion. The rules are documented on the README's adaptation
    /// section.
    /// </summary>
    /// <param name="signals">What the response said.</param>
    /// <param name="reservation">The reservation the response answers, if any (it is not counted as "in flight elsewhere").</param>
    /// <param name="sinceSent">How long ago the request was sent: refill during that time is credited back.</param>
    public void Observe(in RateLimitSignals signals, QuotaReservation? reservation = null, TimeSpan sinceSent = default)
    {
        Span<long> inFlight = stackalloc long[DimensionCount];
        for (int d = 0; d < DimensionCount; d++)
        {
            inFlight[d] = Volatile.Read(ref _inFlightTokens[d]);
        }

        bool first = NoteFirstAnswer();
        var own = reservation?.Owner is ReservationCharges charges && ReferenceEquals(charges.Quota, this) ? charges : null;
        if (own is not null)
        {
            CountFromTheAnswer(own);
        }

        // One plan per thread, rented for the call: a response's adaptation allocates no plan (a waiter woken inside
        // Apply that observes on this thread finds none to rent and makes its own).
        var rented = t_plan;
        t_plan = null;
        var plan = _policy.Plan(signals, Limits, reservation, sinceSent, inFlight, Discovery, rented);
        try
        {
            if (!plan.IsEmpty || plan.MovesLocalState)
            {
                Apply(plan, own);
            }
        }
        finally
        {
            t_plan = plan;
        }

        // The probe's gate lifts after the answer's adaptation (its limits, its hold): a waiter woken now is sent on
        // what the provider said, never into the same 429.
        if (first && Interlocked.Exchange(ref _probeUntil, long.MinValue) != long.MinValue)
        {
            _waiters.Drain();
        }
    }

    /// <summary>
    /// Notes the quota's first answer if this is it: from then, sends reach the provider about when we take them, so
    /// the windows' refilling bursts refill (see <see cref="ColdRefillHold"/>).
    /// </summary>
    /// <returns>Whether this was the first answer.</returns>
    private bool NoteFirstAnswer()
    {
        // Every answer asks; only the first writes: a read, not an interlocked operation, on each response after it.
        if (Volatile.Read(ref _firstAnswerAt) == long.MaxValue
            && Interlocked.CompareExchange(ref _firstAnswerAt, TimeProvider.GetTimestamp(), long.MaxValue) == long.MaxValue)
        {
            for (int d = 0; d < DimensionCount; d++)
            {
                Volatile.Read(ref _windows[d])?.ResumeRefill();
            }

            return true;
        }

        return false;
    }

    /// <inheritdoc/>
    void IAssumedLimitsProbe.ProbeUntilFirstAnswer() => ProbeUntilFirstAnswer();

    /// <summary>
    /// The limits are assumed, not this account's (a catalog's published defaults for a tier): the account may be at
    /// another tier, drained by a job that just stopped, or shared with other processes on the key. Until the
    /// provider's first answer, which reports the truth, and at most <see cref="ColdRefillHold"/>, the quota sends one
    /// request at a time, so a restart on a drained account or a second process on the key meets one 429, not a
    /// burst of them. Nothing changes once an answer has come.
    /// </summary>
    internal void ProbeUntilFirstAnswer()
    {
        if (Volatile.Read(ref _firstAnswerAt) == long.MaxValue)
        {
            Volatile.Write(ref _probeUntil, _coldUntil);
        }
    }

    /// <summary>
    /// The provider counted the request no later than it answered, however late after our grant it arrived: a cold
    /// connection's handshake, a first call's JIT, a loaded machine that descheduled the send. So the charge's window
    /// is counted from the answer; a log that frees a charge a window after its answer can never free it before the
    /// provider's window, sliding or fixed, does. The cost is the latency over the window (under 2% for a second's
    /// answer against a minute), where the expiry margin alone was a bet on how late a send can be.
    /// </summary>
    private void CountFromTheAnswer(ReservationCharges charges)
    {
        for (int d = 0; d < DimensionCount; d++)
        {
            if (charges.Tickets[d] >= 0 && Volatile.Read(ref _windows[d]) is { } window)
            {
                window.Restamp(charges.Tickets[d]);
            }
        }
    }

    /// <summary>Carries out what <see cref="QuotaPolicy.Plan"/> decided.</summary>
    private void Apply(QuotaAdaptationPlan plan, ReservationCharges? charges)
    {
        // The hold first: a change of limits or a lowering below may wake a waiter, which must not be sent into the
        // same 429.
        if (plan.Hold is { } hold)
        {
            CloseFor(hold);
        }

        if (plan.Limits is { } limits)
        {
            SetLimits(limits);
        }

        for (int d = 0; d < DimensionCount; d++)
        {
            var dimension = (QuotaDimension)d;
            var freesAfter = plan.FreesAfter(dimension);
            if (plan.Evidence(dimension) is { } baseline)
            {
                LowerBy(dimension, QuotaAdaptationPlan.LowerBy(baseline, ReservedTotal(dimension), LoweredTotal(dimension)), freesAfter);
            }

            if (plan.LowerTo(dimension) is { } level)
            {
                Window(dimension)?.ReduceAvailableTo(level, freesAfter);
            }

            if (plan.RemainingAtAdmission(dimension) is { } seen && charges is not null && charges.Ticket(dimension) >= 0)
            {
                Window(dimension)?.Forget(charges.Ticket(dimension), seen.Remaining, seen.UnseenBefore);
            }
        }

        if (plan.Refill is { } refill && Windowing.DetectsContinuousBucket && _refill.Observe(refill) is { } continuous)
        {
            SetLearnedShape(continuous);
        }

        // Room reported left: our burst may be coarser than the provider's period, so it shrinks first. Once it cannot
        // shrink further, the rate is what the provider refuses (another sender on the key): the pace halves instead.
        bool paceMayHalve = plan.ShrinkBurstSentAt is not { } sentAt || ShrinkBurst(sentAt) is false;
        if (paceMayHalve && plan.RateLimitedSentAt is { } limitedSentAt && _pace.OnRateLimited(limitedSentAt, TimeProvider.GetTimestamp()))
        {
            ApplyPace(decreased: true);
        }

        if (plan.SucceededSentAt is { } succeededSentAt && Limits.RequestsPerMinute is { } perMinute && _pace.OnSuccess(succeededSentAt, perMinute))
        {
            ApplyPace(decreased: false);
        }

        if (plan.ExhaustDays)
        {
            Window(QuotaDimension.RequestsPerDay)?.Exhaust();
            Window(QuotaDimension.TokensPerDay)?.Exhaust();
        }

        if (plan.Exhaustion is { } exhaustion)
        {
            var resetsAt = exhaustion.ResetsAfter is { } r ? TimeProvider.GetUtcNow() + r : (DateTimeOffset?)null;
            MarkExhausted(new QuotaExhaustedException(Key, exhaustion.Code, resetsAt), exhaustion.ResetsAfter);
        }
    }

    /// <summary>
    /// Holds the quota closed until <paramref name="wait"/> has passed: no reservation is granted before, and
    /// waiters are woken once it has. Used when the provider answers with a rate-limit error and a wait.
    /// </summary>
    public void CloseFor(TimeSpan wait)
    {
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        long until = TimeProvider.GetTimestamp() + (long)Math.Ceiling(Math.Min(wait.TotalSeconds, 86_400) * TimeProvider.TimestampFrequency);
        long current;
        do
        {
            current = Volatile.Read(ref _closedUntil);
            if (current >= until)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _closedUntil, until, current) != current);

        _waiters.Drain(); // re-arms the timer for the later instant
    }

    /// <summary>
    /// Fails every reservation, queued or new, with <paramref name="exhaustion"/> until <paramref name="resetsAfter"/> has
    /// passed (or until <see cref="ResetExhaustion"/> when <see langword="null"/>).
    /// </summary>
    public void MarkExhausted(QuotaExhaustedException exhaustion, TimeSpan? resetsAfter)
    {
        ArgumentNullException.ThrowIfNull(exhaustion);
        Volatile.Write(ref _exhaustedUntil, resetsAfter is { } r
            ? TimeProvider.GetTimestamp() + (long)Math.Ceiling(Math.Min(r.TotalSeconds, 366 * 86_400.0) * TimeProvider.TimestampFrequency)
            : long.MaxValue);
        Volatile.Write(ref _exhaustion, exhaustion);
        _waiters.FailAll(exhaustion);
    }

    /// <summary>Clears an exhaustion reported by <see cref="MarkExhausted"/>.</summary>
    public void ResetExhaustion() => Volatile.Write(ref _exhaustion, null);

    /// <summary>Completes every waiter with <see cref="ObjectDisposedException"/> and disposes the windows.</summary>
    public void Dispose()
    {
        _waiters.Dispose();
        lock (_limitsGate)
        {
            foreach (var window in _windows)
            {
                window?.Dispose();
            }
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override string ToString() => $"LlmQuota({Key}, {InFlight} in flight, {QueuedCount} waiting)";

    /// <summary>Tokens of <paramref name="dimension"/> reserved by requests in flight, not yet reconciled.</summary>
    internal long InFlightTokens(QuotaDimension dimension) => Volatile.Read(ref _inFlightTokens[(int)dimension]);

    /// <summary>Everything reserved on one dimension since the quota was created (never decreases).</summary>
    internal long ReservedTotal(QuotaDimension dimension) => Volatile.Read(ref _reservedTotals[(int)dimension]);

    /// <summary>Everything lowered on one dimension on the provider's evidence of consumption made elsewhere (never decreases).</summary>
    internal long LoweredTotal(QuotaDimension dimension) => Volatile.Read(ref _loweredTotals[(int)dimension]);

    /// <summary>
    /// Lowers one dimension's level by <paramref name="tokens"/> of consumption seen by the provider and not made here,
    /// freeing after <paramref name="freesAfter"/> (the provider's reset) where the window frees at instants.
    /// </summary>
    internal void LowerBy(QuotaDimension dimension, long tokens, TimeSpan? freesAfter = null)
    {
        if (tokens <= 0 || Window(dimension) is not { } window)
        {
            return;
        }

        Interlocked.Add(ref _loweredTotals[(int)dimension], tokens);
        window.Charge(tokens, freesAfter);
    }

    /// <summary>The share of the request limit admitted now, in units of 1/<see cref="Congestion.RequestPace.Whole"/>.</summary>
    internal long RequestPaceShare => _pace.Share;

    /// <summary>
    /// Gives the request window the pace: at once when it fell; when it grew, once by a 64th of the limit (or to the
    /// whole), so that the pacing bucket is not rebuilt on every success.
    /// </summary>
    private void ApplyPace(bool decreased)
    {
        lock (_limitsGate)
        {
            if (Window(QuotaDimension.RequestsPerMinute) is not PacedWindow window)
            {
                return;
            }

            long share = _pace.Share;
            if (decreased || share >= Congestion.RequestPace.Whole || window.PacedPerSecond is not { } pacedNow
                || share * window.TokensPerSecond / Congestion.RequestPace.Whole - pacedNow >= window.TokensPerSecond / 64)
            {
                window.SetPace(share);
            }
        }

        if (!decreased)
        {
            _waiters.Drain();
        }
    }

    /// <summary>
    /// Makes every per-minute window whose enforcement is being learned a continuously refilled bucket
    /// (<paramref name="continuous"/>) or returns it to the safe shape: the provider's resets showed which it is.
    /// </summary>
    private void SetLearnedShape(bool continuous)
    {
        lock (_limitsGate)
        {
            foreach (var row in QuotaDimensions.RateRows)
            {
                if (row.Window < TimeSpan.FromDays(1) && Unwrap(Window(row.Dimension)) is ShapeLearningWindow learning)
                {
                    if (continuous)
                    {
                        learning.BecomeBucket();
                    }
                    else
                    {
                        learning.ReturnToSafeShape();
                    }
                }
            }
        }

        if (continuous)
        {
            _waiters.Drain();
        }

        static QuotaWindow? Unwrap(QuotaWindow? window) => window is PacedWindow paced ? paced.Inner : window;
    }

    /// <summary>
    /// Shrinks the burst of every per-minute window in the safe shape, once per congestion event: the provider answered
    /// 429 while reporting capacity left, so it enforces over a shorter period than ours. The rate stays; when no burst
    /// can shrink any more, the caller halves the request pace instead.
    /// </summary>
    /// <param name="sentAt">When the rejected request was sent (a <see cref="TimeProvider.GetTimestamp"/> value).</param>
    /// <returns>Whether a window's burst shrank; <see langword="null"/> when the 429 belongs to the current event.</returns>
    internal bool? ShrinkBurst(long sentAt)
    {
        if (!_burstEvents.TryStart(sentAt, TimeProvider.GetTimestamp()))
        {
            return null;
        }

        // A window learned to be a bucket returns to the safe shape (its burst shrunk): a bucket has no shorter period.
        if (_refill.OnBurstRefused())
        {
            SetLearnedShape(continuous: false);
            return true;
        }

        bool shrunk = false;
        foreach (var row in QuotaDimensions.RateRows)
        {
            if (row.Window < TimeSpan.FromDays(1) && Window(row.Dimension) is { } window)
            {
                shrunk |= window.ShrinkBurst();
            }
        }

        return shrunk;
    }

    private QuotaReservation NewReservation(in RequestCost cost, ReadOnlySpan<long> tickets)
    {
        var charges = new ReservationCharges(this);
        charges.Set(tickets);
        return NewReservation(cost, charges);
    }

    private QuotaReservation NewReservation(in RequestCost cost, ReservationCharges charges)
    {
        // Read after this reservation's own take, so the mark includes it. A take by another thread in between is
        // counted as before this one and lowers the level read: both only make later lowering smaller, never larger.
        var mark = new ReservationMark(DimensionCount, TimeProvider.GetTimestamp());
        for (int d = 0; d < DimensionCount; d++)
        {
            mark.ReservedTotal(d) = Volatile.Read(ref _reservedTotals[d]);
            // The window's room, not what its burst rule admits now: the provider's remaining is compared with it.
            mark.Level(d) = Volatile.Read(ref _windows[d])?.Room ?? 0;
            mark.Lowered(d) = Volatile.Read(ref _loweredTotals[d]);
            mark.InFlight(d) = Volatile.Read(ref _inFlightTokens[d]);
        }

        return new QuotaReservation(this, charges, cost) { Mark = mark };
    }

    /// <summary>
    /// Adjusts without a ticket, for reservations another owner tracks (Redis's local fallback): exact on token-bucket
    /// windows (the only kind that fallback creates); a window that names its charges ignores it.
    /// </summary>
    void IQuotaReservationOwner.Adjust(QuotaDimension dimension, long delta) => Adjust(dimension, delta, NoTicket);

    void IQuotaReservationOwner.Release(in RequestCost cost) => Release(cost);

    /// <summary>Gives back what a charge named by <paramref name="ticket"/> took on one dimension, or charges more (debt).</summary>
    internal void Adjust(QuotaDimension dimension, long delta, long ticket)
    {
        var window = Window(dimension);
        if (window is null || delta == 0)
        {
            return;
        }

        try
        {
            window.Adjust(ticket, delta);
        }
        catch (ObjectDisposedException)
        {
            // The dimension was dropped (became unlimited) meanwhile: nothing left to adjust.
        }
    }

    /// <summary>Called by a reservation when it ends, however it ends.</summary>
    internal void Release(in RequestCost cost)
    {
        for (int d = 0; d < DimensionCount; d++)
        {
            long amount = QuotaDimensions.CostOf(cost, (QuotaDimension)d);
            if (amount > 0)
            {
                Interlocked.Add(ref _inFlightTokens[d], -amount);
            }
        }

        Interlocked.Decrement(ref _inFlight);
        if (_waiters.Count > 0)
        {
            _waiters.Drain();
        }
    }

    bool IWaiterHost<PendingReservation>.TryGrantToWaiter(in PendingReservation pending) =>
        TryTakeAll(pending.Cost, pending.Charges.Tickets);

    TimeSpan IWaiterHost<PendingReservation>.TimeUntilGrantable(in PendingReservation pending) => TimeUntilAll(pending.Cost);

    void IWaiterHost<PendingReservation>.OnWaitersChanged(bool hasWaiters)
    {
        // The quota's no-barging check reads the queue's count directly.
    }

    private async ValueTask<QuotaReservation> AwaitReservation(ValueTask<bool> pending, RequestCost cost, ReservationCharges charges)
    {
        await pending.ConfigureAwait(false);
        return NewReservation(cost, charges);
    }

    private void Validate(in RequestCost cost)
    {
        if (Volatile.Read(ref _exhaustion) is { } exhaustion)
        {
            if (TimeProvider.GetTimestamp() < Volatile.Read(ref _exhaustedUntil))
            {
                throw exhaustion;
            }

            Interlocked.CompareExchange(ref _exhaustion, null, exhaustion);
        }

        _policy.ValidateCost(cost, Limits);
    }

    /// <summary>Takes the cost on every dimension, or on none; <paramref name="tickets"/> receives each window's ticket.</summary>
    private bool TryTakeAll(in RequestCost cost, Span<long> tickets)
    {
        if (TimeProvider.GetTimestamp() < Volatile.Read(ref _closedUntil) || !TryTakeSlot())
        {
            return false;
        }

        int d = 0;
        for (; d < DimensionCount; d++)
        {
            long amount = QuotaDimensions.CostOf(cost, (QuotaDimension)d);
            var window = Volatile.Read(ref _windows[d]);
            tickets[d] = NoTicket;
            if (amount > 0 && window is not null && (amount > window.Capacity || !window.TryTake(amount, out tickets[d])))
            {
                break;
            }
        }

        if (d < DimensionCount)
        {
            // Give back what the earlier dimensions took: no dimension stays charged for a refused request.
            for (int back = d - 1; back >= 0; back--)
            {
                Adjust((QuotaDimension)back, -QuotaDimensions.CostOf(cost, (QuotaDimension)back), tickets[back]);
            }

            Interlocked.Decrement(ref _inFlight);
            return false;
        }

        for (d = 0; d < DimensionCount; d++)
        {
            long amount = QuotaDimensions.CostOf(cost, (QuotaDimension)d);
            if (amount > 0)
            {
                Interlocked.Add(ref _inFlightTokens[d], amount);
                Interlocked.Add(ref _reservedTotals[d], amount);
            }
        }

        return true;
    }

    private bool TryTakeSlot()
    {
        while (true)
        {
            int current = Volatile.Read(ref _inFlight);
            if (current >= MaxConcurrencyNow())
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>The concurrency limit now: one while the probe of assumed limits waits for the first answer.</summary>
    private int MaxConcurrencyNow()
    {
        int max = Volatile.Read(ref _maxConcurrency);
        long probeUntil = Volatile.Read(ref _probeUntil);
        return probeUntil != long.MinValue && max > 1 && TimeProvider.GetTimestamp() < probeUntil ? 1 : max;
    }

    private TimeSpan TimeUntilAll(in RequestCost cost)
    {
        long now = TimeProvider.GetTimestamp();
        long closed = Volatile.Read(ref _closedUntil);
        var wait = closed > now ? TimeProvider.GetElapsedTime(now, closed) : TimeSpan.Zero;
        for (int d = 0; d < DimensionCount; d++)
        {
            long amount = QuotaDimensions.CostOf(cost, (QuotaDimension)d);
            var window = Volatile.Read(ref _windows[d]);
            if (amount > 0 && window is not null)
            {
                var dimensionWait = amount > window.Capacity ? TimeSpan.FromDays(1) : window.TimeUntil(amount);
                wait = dimensionWait > wait ? dimensionWait : wait;
            }
        }

        if (wait == TimeSpan.Zero && Volatile.Read(ref _inFlight) >= MaxConcurrencyNow())
        {
            // A released slot wakes the queue, and so does the first answer when the probe holds the slot.
            long probeUntil = Volatile.Read(ref _probeUntil);
            return probeUntil > now && Volatile.Read(ref _inFlight) < Volatile.Read(ref _maxConcurrency)
                ? TimeProvider.GetElapsedTime(now, probeUntil)
                : Timeout.InfiniteTimeSpan;
        }

        Debug.Assert(wait >= TimeSpan.Zero);
        return wait;
    }
}
