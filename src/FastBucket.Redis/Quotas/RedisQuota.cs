using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using FastBucket.Providers;
using FastBucket.Quotas;
using StackExchange.Redis;

namespace FastBucket.Redis;

/// <summary>
/// The limits of one provider account on one model, shared by every process that uses the same Redis: the contract of
/// <see cref="LlmQuota"/> (all dimensions together, all or nothing; reconciliation; FIFO waits; the same adaptation rules,
/// from <see cref="QuotaPolicy"/>), with the state in Redis.
/// </summary>
/// <remarks>
/// The jobs are split: <see cref="RedisQuotaScript"/> (the atomic rules on the server), <see cref="RedisQuotaScriptClient"/>
/// (one timeout on both paths, the breaker, clean-up after a timeout), <see cref="RedisQuotaState"/> (the newest answer, the
/// hold, what is owed after an outage), <see cref="RedisQuotaWaitQueue"/> (FIFO waits here), <see cref="RedisQuotaFallback"/>
/// (the outage policy). Concurrency is shared through leases that expire after
/// <see cref="RedisQuotaOptions.ConcurrencyLeaseDuration"/>, so slots of a process that died come back.
/// </remarks>
public sealed class RedisQuota : ILlmQuota, IAssumedLimitsProbe, IAsyncDisposable
{
    private const int DimensionCount = QuotaDimensions.RateCount;

    private readonly RedisQuotaScriptClient _client;
    private readonly QuotaPolicy _policy;
    private readonly TimeZoneInfo? _dayTimeZone;
    private readonly string _bursts;
    private readonly string _windowRule;
    private StrongBox<FastBucket.Quotas.Windows.CalendarDay>? _today;
    private readonly RedisQuotaOptions _options;
    private readonly TimeProvider _time;
    private readonly QuotaDiscovery? _discovery;
    private readonly RedisQuotaWaitQueue _queue;
    private readonly RedisQuotaState _state;
    private readonly RedisQuotaFallback _fallback;
    private readonly RedisQuotaLatencyMargin _margin;
    private readonly RedisQuotaReserver _reserver;
    private readonly RedisQuotaInFlight _inFlight = new();

    // Where the provider's enforcement is not documented, this process's reading of its resets; the verdict is shared
    // through Redis (see the script's shape), so one process's evidence shapes every process's grants.
    private readonly FastBucket.Quotas.Windows.ContinuousRefillDetector? _refill;
    private QuotaLimits _configured;
    private int _answered;
    private int _probe;
    private int _disposed;

    /// <summary>Creates a quota for <paramref name="key"/> kept in <paramref name="redis"/>.</summary>
    /// <param name="redis">The connection; shared by every quota of the process.</param>
    /// <param name="key">Whose limits these are.</param>
    /// <param name="limits">The configured limits; limits learned from a provider by any process take precedence.</param>
    /// <param name="options">Keys, failure policy, timeouts; <see langword="null"/> for the defaults.</param>
    /// <param name="burstHeadroom">The share of each limit held back from the burst (0 to 0.5), as for <see cref="LlmQuota"/>.</param>
    /// <param name="maxQueuedRequests">Most requests waiting at once in this process.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is below 1, or <paramref name="burstHeadroom"/> or <paramref name="maxQueuedRequests"/> is out of range.</exception>
    public RedisQuota(IConnectionMultiplexer redis, QuotaKey key, QuotaLimits limits, RedisQuotaOptions? options = null, double burstHeadroom = 0, int maxQueuedRequests = int.MaxValue)
        : this(redis, key, limits, options, burstHeadroom, maxQueuedRequests, discovery: null)
    {
    }

    private RedisQuota(IConnectionMultiplexer redis, QuotaKey key, QuotaLimits limits, RedisQuotaOptions? options, double burstHeadroom, int maxQueuedRequests, QuotaDiscovery? discovery)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxQueuedRequests);
        _options = (options ?? new RedisQuotaOptions()).Clone();
        _options.Validate();
        _time = _options.TimeProvider ?? TimeProvider.System;
        // Per-day limits count the provider's calendar days where it documents them (Gemini: Pacific; OpenRouter: UTC).
        _dayTimeZone = (_options.Windowing ?? FastBucket.Quotas.Windows.QuotaWindowing.For(key.Provider)).DayTimeZone;
        _bursts = BurstShareLevels(_options.Windowing);
        _windowRule = WindowRule(_options.Windowing);
        _refill = _options.Windowing is { DetectsContinuousBucket: true, ContinuousBucket: false } ? new FastBucket.Quotas.Windows.ContinuousRefillDetector(_time) : null;
        _policy = new QuotaPolicy(key, burstHeadroom, _time, _dayTimeZone);
        _policy.ValidateLimits(limits);
        Key = key;
        _discovery = discovery;
        _configured = limits;
        var keys = RedisQuotaKeys.For(_options.KeyPrefix, key);
        RedisKey = keys[0].ToString();
        _client = new RedisQuotaScriptClient(redis, keys, _options, _time, key.ToString());
        _queue = new RedisQuotaWaitQueue(cost => AttemptAsync(cost, synchronous: false), _time, maxQueuedRequests, key.ToString());
        var backlog = new RedisQuotaBacklog();
        _fallback = new RedisQuotaFallback(key, _policy, _time, _options.ExpectedInstances, backlog);
        _margin = new RedisQuotaLatencyMargin(_time);
        _state = new RedisQuotaState(_client, _time, _fallback, backlog, RedisQuotaSnapshot.Initial(_policy, limits, _time.GetTimestamp()))
        {
            OwedCall = (amounts, leases) => Call(RedisQuotaScript.AdjustAndRelease) with { Amounts = amounts, Released = leases },
        };
        _reserver = new RedisQuotaReserver(this, _state, _fallback, _policy, _options, _margin, _inFlight, () => Volatile.Read(ref _configured), Call);
    }

    /// <summary>
    /// Creates a quota in discovery mode, shared through Redis: no configured limits; one request at a time across every
    /// process until a provider reports limits, which then reach every process (for a provider that reports none, each
    /// process follows additive increase, multiplicative decrease on the shared buckets).
    /// </summary>
    /// <param name="redis">The connection.</param>
    /// <param name="key">Whose limits these are.</param>
    /// <param name="maxConcurrency">The concurrency to allow once limits are known; <see langword="null"/> for none.</param>
    /// <param name="options">As for the constructor.</param>
    /// <param name="burstHeadroom">As for the constructor.</param>
    /// <param name="maxQueuedRequests">As for the constructor.</param>
    public static RedisQuota CreateDiscovering(IConnectionMultiplexer redis, QuotaKey key, int? maxConcurrency = null, RedisQuotaOptions? options = null, double burstHeadroom = 0, int maxQueuedRequests = int.MaxValue)
    {
        var discovery = QuotaDiscovery.For(key, maxConcurrency);
        return new RedisQuota(redis, key, discovery.Initial, options, burstHeadroom, maxQueuedRequests, discovery);
    }

    /// <summary>Whose limits these are.</summary>
    public QuotaKey Key { get; }

    /// <summary>Whether this quota learns its limits from the provider (discovery mode).</summary>
    public bool IsDiscovering => _discovery is not null;

    /// <summary>The limits in force: the configured ones, with any learned from a provider (by any process) in their place.</summary>
    public QuotaLimits Limits => _state.Snapshot.Limits with { MaxConcurrency = Volatile.Read(ref _configured).MaxConcurrency };

    /// <summary>Requests this process reserved and has not yet ended.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>Requests waiting in this process.</summary>
    public int QueuedCount => _queue.Count;

    /// <summary>Whether Redis is unreachable now, so that reservations are refused or served by the local fallback (see <see cref="RedisFailurePolicy"/>).</summary>
    public bool IsDegraded => _client.Breaker.IsOpen;

    /// <summary>The Redis hash holding this quota.</summary>
    public string RedisKey { get; }

    /// <summary>
    /// The level of one dimension as of the last answer from Redis plus the refill since (during an outage: the local
    /// fallback's level), or <see langword="null"/> if it is not limited. For <see cref="QuotaDimension.Concurrency"/>,
    /// the free slots across every process.
    /// </summary>
    public long? Available(QuotaDimension dimension)
    {
        if (IsDegraded && _fallback.Local is { } local)
        {
            return local.Available(dimension);
        }

        var snapshot = _state.Snapshot;
        return dimension == QuotaDimension.Concurrency
            ? Volatile.Read(ref _configured).MaxConcurrency is { } max ? max - Math.Max(snapshot.LeasesHeld, InFlight) : null
            : snapshot.Level(_policy, QuotaDimensions.Of(dimension).Dimension, _time.GetElapsedTime(snapshot.ReceivedAt));
    }

    /// <summary>
    /// Reserves <paramref name="cost"/> on every dimension at once if there is room now and nobody in this process
    /// waits; never waits for room, but blocks for one Redis round trip, at most <see cref="RedisQuotaOptions.OperationTimeout"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A part of <paramref name="cost"/> exceeds its dimension's capacity.</exception>
    /// <exception cref="QuotaExhaustedException">A provider reported a non-retryable exhaustion that has not reset yet.</exception>
    public bool TryReserve(RequestCost cost, [NotNullWhen(true)] out QuotaReservation? reservation, out TimeSpan retryAfter)
    {
        _policy.ValidateCost(cost, Limits);
        if (!_queue.IsIdle)
        {
            reservation = null;
            retryAfter = EstimateWait(cost);
            return false;
        }

        var attempt = AttemptAsync(cost, synchronous: true);
        Debug.Assert(attempt.IsCompleted, "the synchronous path never awaits");
        var result = attempt.GetAwaiter().GetResult();
        reservation = result.Reservation;
        retryAfter = reservation is null ? RedisQuotaWaitQueue.SleepFor(result.Wait == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : result.Wait) : TimeSpan.Zero;
        return reservation is not null;
    }

    /// <summary>Reserves <paramref name="cost"/>, waiting in FIFO order (among this process's callers) until every dimension has room.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A part of <paramref name="cost"/> exceeds its dimension's capacity.</exception>
    /// <exception cref="QuotaExhaustedException">A provider reported a non-retryable exhaustion.</exception>
    /// <exception cref="QueueLimitExceededException">Too many requests wait already.</exception>
    public async ValueTask<QuotaReservation> ReserveAsync(RequestCost cost, CancellationToken cancellationToken = default)
    {
        _policy.ValidateCost(cost, Limits);
        cancellationToken.ThrowIfCancellationRequested();
        Task<QuotaReservation> waiting;
        _reserver.Hold(+1); // until queued: a test's fake clock must not move in between
        try
        {
            if (_queue.IsIdle && (await AttemptAsync(cost, synchronous: false).ConfigureAwait(false)).Reservation is { } granted)
            {
                return granted;
            }

            waiting = _queue.WaitAsync(cost, cancellationToken);
        }
        finally
        {
            _reserver.Hold(-1);
        }

        return await waiting.ConfigureAwait(false);
    }

    /// <summary>
    /// Adapts to what the provider said about one response, by <see cref="QuotaPolicy"/>'s rules, for every process:
    /// learned limits, evidence of consumption elsewhere, a 429 hold, an exhaustion, a shrink of the burst and the window
    /// shape learned from the resets are written to Redis and honoured by every process's next reservation. Nothing is
    /// sent when the response changes nothing.
    /// </summary>
    public void Observe(in RateLimitSignals signals, QuotaReservation? reservation = null, TimeSpan sinceSent = default)
    {
        if (reservation?.Mark is { } mark)
        {
            var sinceGrant = _time.GetElapsedTime(mark.GrantTimestamp);
            _margin.OnGrantToSend(sinceGrant - sinceSent);
            (reservation.Owner as RedisReservationOwner)?.Answered(sinceGrant);
        }

        var plan = _policy.Plan(signals, Limits, reservation, sinceSent, _inFlight.Tokens, _discovery);

        // The shape rules of the in-process quota, with their state in Redis for every process: a 429 while room is
        // reported shrinks the burst once per congestion event (and ends a learned bucket for good); the resets may
        // show a continuously refilled bucket. Where no burst can shrink any more, LlmQuota halves its request pace;
        // a shared quota has no pace (every process's grants are counted together already).
        long? shrinkSentAgo = null;
        if (plan.ShrinkBurstSentAt is { } sentAt && _bursts.Length > 0)
        {
            shrinkSentAgo = (long)Math.Ceiling(_time.GetElapsedTime(sentAt).TotalMicroseconds);
            _refill?.OnBurstRefused();
        }

        bool? continuous = plan.Refill is { } refill && _refill is not null ? _refill.Observe(refill) : null;
        string? forget = _windowRule.Length > 0 && reservation?.Owner is RedisReservationOwner ? Forget(plan, reservation.Cost) : null;

        // This process's first answer ends a new quota's cold hold (see the script's cold) for every process: sent once.
        bool firstAnswer = Volatile.Read(ref _answered) == 0 && Interlocked.Exchange(ref _answered, 1) == 0;
        if ((plan.IsEmpty && shrinkSentAgo is null && continuous is null && !firstAnswer && forget is null) || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        if (plan.Limits is { } limits)
        {
            Volatile.Write(ref _configured, limits);
        }

        if (plan.Hold is { } hold)
        {
            _state.CloseFor(hold);
        }

        if (plan.Exhaustion is { } exhaustion)
        {
            var error = Exhaustion(exhaustion.Code, exhaustion.ResetsAfter ?? RedisQuotaScript.ExhaustionWithoutReset);
            _fallback.MarkExhausted(error, exhaustion.ResetsAfter ?? RedisQuotaScript.ExhaustionWithoutReset);
            _queue.FailAll(error);
        }

        _state.Write(Call(RedisQuotaScript.ObserveSignals).Carrying(plan) with
        {
            ShrinkSentAgoMicroseconds = shrinkSentAgo,
            Continuous = continuous,
            Answered = firstAnswer,
            Forget = forget,
            Second = forget is null ? null : ((RedisReservationOwner)reservation!.Owner).GrantMicroseconds / 1_000_000,
        });
        _queue.Wake();
    }

    /// <summary>Clears a non-retryable exhaustion for every process (one the provider gave no reset for lasts a day at most).</summary>
    /// <returns>Whether Redis answered.</returns>
    public async Task<bool> ResetExhaustionAsync()
    {
        _fallback.Local?.ResetExhaustion();
        return await _state.RunAsync(Call(RedisQuotaScript.ResetExhaustion)).ConfigureAwait(false) is not null;
    }

    /// <summary>Asks Redis for the shared levels and limits now, so that <see cref="Available"/> and <see cref="Limits"/> show them.</summary>
    /// <returns>Whether Redis answered.</returns>
    public async Task<bool> RefreshAsync() => await _state.RunAsync(Call(RedisQuotaScript.Peek)).ConfigureAwait(false) is not null;

    /// <summary>Completes every waiter with <see cref="ObjectDisposedException"/>. Reservations still in flight can still end.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _queue.Dispose(ToString());
            _fallback.Dispose();
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override string ToString() => $"RedisQuota({Key}, {InFlight} in flight here, {QueuedCount} waiting here{(IsDegraded ? ", Redis unreachable" : string.Empty)})";

    /// <inheritdoc/>
    void IAssumedLimitsProbe.ProbeUntilFirstAnswer() => Volatile.Write(ref _probe, 1);

    /// <summary>Waits until every write sent so far (reconciliations, signals) has been answered or has failed.</summary>
    internal Task FlushAsync() => _state.LastWrite;

    /// <summary>Whether the wait loop is asleep on its timer (tests advance a fake clock only then).</summary>
    internal bool IsPumpSleeping => _queue.IsSleeping;

    /// <summary>Whether nothing is under way here: no attempt, no write, and any waiters asleep (tests advance a fake clock only then).</summary>
    internal bool IsSettled => _reserver.Attempts == 0 && _state.LastWrite.IsCompleted && (_queue.Count == 0 || _queue.IsSleeping);

    /// <summary>Whether this process owes Redis nothing: no backlog, and no timed-out call whose late answer may still add to it.</summary>
    internal bool OwesNothing => _client.PendingLate == 0 && _state.Backlog.IsEmpty && _state.LastWrite.IsCompleted;

    /// <summary>The local fallback quota of the outage under way, if any.</summary>
    internal LlmQuota? Fallback => _fallback.Local;

    /// <summary>The last Redis failure, for diagnostics.</summary>
    internal RedisQuotaFailure? LastFailure => _client.LastFailure;

    /// <summary>The latency margin now.</summary>
    internal TimeSpan LatencyMargin => _margin.Current;

    /// <summary>A reservation granted by Redis ended: send its reconciliation and free its lease (held back while Redis is unreachable).</summary>
    internal void ReleaseShared(in RequestCost cost, long[] deltas, string? leaseId, long grantMicroseconds, long answeredAfterMicroseconds, bool probe)
    {
        // The provider counted the request no later than it answered: under the window rule its charges move from the
        // second of the grant to the second of the answer (as LlmQuota's log counts them from the answer), when those differ.
        long grantSecond = grantMicroseconds / 1_000_000;
        long answeredSecond = (grantMicroseconds + answeredAfterMicroseconds) / 1_000_000;
        long? answerSecond = _windowRule.Length > 0 && answeredAfterMicroseconds >= 0 && answeredSecond > grantSecond ? answeredSecond : null;
        if (leaseId is not null || answerSecond is not null || probe || deltas.Any(d => d != 0))
        {
            long[]? moved = null;
            if (answerSecond is not null)
            {
                var rows = QuotaDimensions.RateRows;
                moved = new long[rows.Length];
                for (int d = 0; d < rows.Length; d++)
                {
                    moved[d] = rows[d].CostOf(cost) + deltas[d];
                }
            }

            // Not sent (Redis unreachable) or failed: the lease is owed, and the reconciliation too unless the call may
            // have run (a timeout or a lost connection: applying it twice would refund twice).
            _state.Write(
                Call(RedisQuotaScript.AdjustAndRelease) with { Amounts = deltas, Lease = leaseId, Second = grantSecond, AnswerSecond = answerSecond, Moved = moved, Probe = probe },
                failure => _state.Backlog.Owe(failure?.Kind is RedisQuotaFailureKind.Timeout or RedisQuotaFailureKind.Unreachable ? new long[deltas.Length] : deltas, leaseId));
        }

        // After the release is on the wire: a waiter woken here sends its reservation behind it on the same connection.
        ReleaseLocal(cost);
    }

    /// <summary>Any reservation of this process ended: its slot is free here, and the queue may go on.</summary>
    internal void ReleaseLocal(in RequestCost cost)
    {
        _inFlight.Remove(cost);
        _queue.Wake();
    }

    /// <summary>A reservation the local fallback granted is reconciled: what it owes Redis changes with it.</summary>
    internal void OweAdjustment(QuotaDimension dimension, long delta) => _state.Backlog.AddDebt(dimension, delta);

    private ValueTask<RedisQuotaAttempt> AttemptAsync(RequestCost cost, bool synchronous)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _reserver.AttemptAsync(cost, synchronous);
    }

    /// <summary>
    /// The burst rule of every shrink level (see <see cref="FastBucket.Quotas.Windows.WindowShape.Shrunk"/>): per level,
    /// per rate dimension, the share of its window one burst holds under <paramref name="windowing"/> (the burst period
    /// less the expiry margin, over the minute; 0 where the burst period is the whole minute, for per-day limits, and where
    /// the enforcement is a continuous bucket), as <see cref="FastBucket.Quotas.Windows.QuotaWindowing"/> shapes the
    /// in-process quota's windows and as a 429 while room is reported shrinks them. Levels are separated by <c>|</c>, from
    /// the configured shape to the shortest period; written once as the script's argument, which picks the level the
    /// quota's hash holds.
    /// </summary>
    private static string BurstShareLevels(FastBucket.Quotas.Windows.QuotaWindowing? windowing)
    {
        if (windowing is null || windowing.ContinuousBucket)
        {
            return string.Empty;
        }

        var rows = QuotaDimensions.RateRows;
        var shapes = new FastBucket.Quotas.Windows.WindowShape?[rows.Length];
        for (int d = 0; d < rows.Length; d++)
        {
            if (rows[d].Window == TimeSpan.FromMinutes(1))
            {
                var period = windowing.BurstPeriodOf(rows[d].Dimension);
                shapes[d] = new FastBucket.Quotas.Windows.WindowShape(TimeSpan.FromMinutes(1), period, period / TimeSpan.FromMinutes(1), windowing.ExpiryMargin);
            }
        }

        var levels = new List<string>();
        while (true)
        {
            levels.Add(string.Join(',', shapes.Select(shape => Share(shape, windowing.ExpiryMargin).ToString("R", CultureInfo.InvariantCulture))));
            var shrunk = shapes.Select(shape => shape?.Shrunk()).ToArray();
            if (shrunk.SequenceEqual(shapes))
            {
                return string.Join('|', levels);
            }

            shapes = shrunk;
        }

        static double Share(FastBucket.Quotas.Windows.WindowShape? shape, TimeSpan margin)
        {
            if (shape is not { HasBurstRule: true })
            {
                return 0;
            }

            var burst = shape.BurstPeriod - margin;
            return (burst > shape.BurstPeriod / 4 ? burst : shape.BurstPeriod / 4) / TimeSpan.FromMinutes(1);
        }
    }

    /// <summary>
    /// Per rate dimension, whether it keeps the safe shape's window rule (at most the limit in any window, as
    /// <see cref="FastBucket.Quotas.Windows.SlidingWindowLog"/> keeps in process): every per-minute dimension, unless the
    /// enforcement is a continuous bucket; then, after <c>;</c>, the expiry margin in µs. Written once as the script's
    /// argument; empty where no dimension keeps the rule.
    /// </summary>
    private static string WindowRule(FastBucket.Quotas.Windows.QuotaWindowing? windowing) =>
        windowing is null || windowing.ContinuousBucket
            ? string.Empty
            : string.Join(',', QuotaDimensions.RateRows.Select(r => r.Window == TimeSpan.FromMinutes(1) ? "1" : "0"))
                + ";" + ((long)windowing.ExpiryMargin.TotalMicroseconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>The forgetting rule's argument for <paramref name="plan"/> (see <see cref="RedisQuotaCall.Forget"/>), or <see langword="null"/> where it says nothing.</summary>
    private static string? Forget(QuotaAdaptationPlan plan, in RequestCost cost)
    {
        string[]? parts = null;
        var rows = QuotaDimensions.RateRows;
        for (int d = 0; d < rows.Length; d++)
        {
            if (plan.RemainingAtAdmission(rows[d].Dimension) is { } seen)
            {
                parts ??= [.. Enumerable.Repeat(string.Empty, rows.Length)];
                parts[d] = string.Create(CultureInfo.InvariantCulture, $"{seen.Remaining}:{seen.UnseenBefore}:{rows[d].CostOf(cost)}");
            }
        }

        return parts is null ? null : string.Join(',', parts);
    }

    private RedisQuotaCall Call(string operation)
    {
        var call = RedisQuotaCall.Create(operation, Volatile.Read(ref _configured), _policy.BurstHeadroom, _options, _time, Today(), _bursts, _windowRule);
        return operation == RedisQuotaScript.Reserve && Volatile.Read(ref _probe) != 0 && Volatile.Read(ref _answered) == 0 ? call with { Probe = true } : call;
    }

    /// <summary>The provider's current calendar day, where it counts them: worked out again only when a day ends, not on every call.</summary>
    private FastBucket.Quotas.Windows.CalendarDay? Today()
    {
        if (_dayTimeZone is null)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var today = Volatile.Read(ref _today);
        if (today is null || !today.Value.Contains(now))
        {
            today = new StrongBox<FastBucket.Quotas.Windows.CalendarDay>(FastBucket.Quotas.Windows.CalendarDay.Containing(now, _dayTimeZone));
            Volatile.Write(ref _today, today);
        }

        return today.Value;
    }

    private TimeSpan EstimateWait(in RequestCost cost)
    {
        var snapshot = _state.Snapshot;
        return RedisQuotaWaitQueue.SleepFor(snapshot.WaitFor(_policy, cost, _time.GetElapsedTime(snapshot.ReceivedAt)));
    }

    private QuotaExhaustedException Exhaustion(string code, TimeSpan resetsAfter) => new(Key, code, _time.GetUtcNow() + resetsAfter);
}
