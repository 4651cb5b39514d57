using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Waiters;
using StackExchange.Redis;

namespace FastBucket.Redis;

/// <summary>
/// The limits of one provider account on one model, shared by every process that uses the same Redis: the same
/// semantics as <see cref="LlmQuota"/> (all dimensions together, all or nothing; reconciliation with real usage; FIFO
/// waits; adaptation to provider signals), with the state in Redis.
/// </summary>
/// <remarks>
/// <para><b>One round trip per reservation.</b> A Lua script checks and charges every dimension at once (GCRA, one
/// theoretical arrival time per dimension in one hash), and answers either "granted" or the wait until every
/// dimension has room. Time is the Redis server's, so client clocks do not matter. Ending a reservation sends its
/// reconciliation and its lease release in one more call, without waiting for the answer.</para>
/// <para><b>Waiting.</b> Waiters queue FIFO in this process; one loop asks Redis for the head, and sleeps on the
/// injected <see cref="TimeProvider"/> for the wait Redis returned (no polling), or until a reservation of this process
/// ends. Across processes, grants go to whoever asks first once there is room.</para>
/// <para><b>Concurrency</b> is shared: each request in flight holds a lease in Redis that expires after
/// <see cref="RedisQuotaOptions.ConcurrencyLeaseDuration"/>, so slots held by a process that died come back. A waiter
/// blocked only by other processes' slots asks again every <see cref="RedisQuotaOptions.ConcurrencyPollInterval"/>.</para>
/// <para><b>Outages.</b> See <see cref="RedisFailurePolicy"/>. Redis is probed on a backoff; reconciliations of
/// requests that end while Redis is unreachable are lost (their charge stays as reserved), and a Redis restart without
/// persistence starts every bucket full.</para>
/// <para><see cref="Available"/> and <see cref="Limits"/> are as of the last answer from Redis, with the refill since
/// added locally; <see cref="RefreshAsync"/> asks again.</para>
/// </remarks>
public sealed class RedisQuota : ILlmQuota, IAsyncDisposable
{
    private const int DimensionCount = RedisQuotaReply.DimensionCount;
    private static readonly byte[] ScriptHash = SHA1.HashData(Encoding.UTF8.GetBytes(RedisQuotaScript.Source));
    private static readonly long[] WindowMicroseconds = [60_000_000, 60_000_000, 60_000_000, 60_000_000, 86_400_000_000, 86_400_000_000];

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKey[] _keys;
    private readonly RedisQuotaOptions _options;
    private readonly TimeProvider _time;
    private readonly double _burstHeadroom;
    private readonly int _maxQueuedRequests;
    private readonly QuotaLimits _configured;
    private readonly long[] _configuredLimits = new long[DimensionCount];
    private readonly int _maxConcurrency;
    private readonly string _instanceId = Guid.NewGuid().ToString("N")[..12];
    private readonly RedisOutageBreaker _breaker;
    private readonly LinkedList<RedisQuotaWaiter> _waiters = new();
    private readonly object _gate = new();
    private readonly long[] _inFlightTokens = new long[DimensionCount];
    private readonly CancellationTokenSource _disposing = new();
    private SharedState _state;
    private LlmQuota? _fallback;
    private TaskCompletionSource? _wake;
    private bool _wakeRequested;
    private bool _pumping;
    private int _inFlight;
    private long _leaseCounter;
    private long _closedUntil;
    private Task _lastWrite = Task.CompletedTask;
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
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentException.ThrowIfNullOrWhiteSpace(key.Model, nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxQueuedRequests);
        if (!(burstHeadroom is >= 0 and <= 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(burstHeadroom), burstHeadroom, "The burst headroom must be between 0 and 0.5.");
        }

        for (int d = 0; d < DimensionCount; d++)
        {
            if (LlmQuota.LimitOf(limits, (QuotaDimension)d) is < 1 and var bad)
            {
                throw new ArgumentOutOfRangeException(nameof(limits), bad, $"The {(QuotaDimension)d} limit of {key} must be at least 1, or null for no limit.");
            }

            _configuredLimits[d] = LlmQuota.LimitOf(limits, (QuotaDimension)d) ?? 0;
        }

        if (limits.MaxConcurrency is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limits), limits.MaxConcurrency, $"The concurrency limit of {key} must be at least 1, or null for no limit.");
        }

        _redis = redis;
        Key = key;
        _options = (options ?? new RedisQuotaOptions()).Clone();
        _time = _options.TimeProvider ?? TimeProvider.System;
        _burstHeadroom = burstHeadroom;
        _maxQueuedRequests = maxQueuedRequests;
        _configured = limits;
        _maxConcurrency = limits.MaxConcurrency ?? 0;
        _keys = RedisQuotaKeys.For(_options.KeyPrefix, key);
        _breaker = new RedisOutageBreaker(_time);
        _state = SharedState.Initial(this);
    }

    /// <summary>Whose limits these are.</summary>
    public QuotaKey Key { get; }

    /// <summary>The limits in force: the configured ones, with any learned from a provider (by any process) in their place.</summary>
    public QuotaLimits Limits => Volatile.Read(ref _state).Limits;

    /// <summary>Requests this process reserved and has not yet ended.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Requests waiting in this process.</summary>
    public int QueuedCount
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Whether Redis is unreachable now, so that reservations are refused or served by the local fallback (see <see cref="RedisFailurePolicy"/>).</summary>
    public bool IsDegraded => _breaker.IsOpen;

    /// <summary>The Redis hash holding this quota.</summary>
    public string RedisKey => _keys[0].ToString();

    /// <summary>
    /// The level of one dimension as of the last answer from Redis plus the refill since (during an outage: the local
    /// fallback's level), or <see langword="null"/> if it is not limited. For <see cref="QuotaDimension.Concurrency"/>,
    /// the free slots across every process.
    /// </summary>
    public long? Available(QuotaDimension dimension)
    {
        if (_breaker.IsOpen && _options.FailurePolicy == RedisFailurePolicy.DegradeToLocal && Volatile.Read(ref _fallback) is { } fallback)
        {
            return fallback.Available(dimension);
        }

        var state = Volatile.Read(ref _state);
        if (dimension == QuotaDimension.Concurrency)
        {
            return _maxConcurrency == 0 ? null : _maxConcurrency - Math.Max(state.LeasesHeld, InFlight);
        }

        int d = (int)dimension;
        long limit = state.LimitValues[d];
        if (limit == 0)
        {
            return null;
        }

        double refill = _time.GetElapsedTime(state.ReceivedAt).TotalMicroseconds * limit / WindowMicroseconds[d];
        return Math.Min(Capacity(limit), state.Levels[d] + (long)Math.Floor(refill));
    }

    /// <summary>
    /// Reserves <paramref name="cost"/> on every dimension at once if there is room now and nobody in this process
    /// waits; never waits for room, but blocks for one Redis round trip.
    /// </summary>
    /// <param name="cost">The request's cost; each part must fit its dimension's capacity.</param>
    /// <param name="reservation">The reservation, to complete with the real usage.</param>
    /// <param name="retryAfter">When refused, how long until every dimension would have room (ignoring other demand).</param>
    /// <exception cref="ArgumentOutOfRangeException">A part of <paramref name="cost"/> exceeds its dimension's capacity.</exception>
    /// <exception cref="QuotaExhaustedException">A provider reported a non-retryable exhaustion that has not reset yet.</exception>
    public bool TryReserve(RequestCost cost, [NotNullWhen(true)] out QuotaReservation? reservation, out TimeSpan retryAfter)
    {
        Validate(cost);
        if (QueuedCount > 0)
        {
            reservation = null;
            retryAfter = EstimateWait(cost);
            return false;
        }

        var attempt = AttemptAsync(cost, synchronous: true).AsTask().GetAwaiter().GetResult();
        reservation = attempt.Reservation;
        retryAfter = reservation is null ? Clamp(attempt.Wait) : TimeSpan.Zero;
        return reservation is not null;
    }

    /// <summary>Reserves <paramref name="cost"/>, waiting in FIFO order (among this process's callers) until every dimension has room.</summary>
    /// <param name="cost">The request's cost; each part must fit its dimension's capacity, else this fails at once.</param>
    /// <param name="cancellationToken">Cancels the wait; a canceled wait never keeps anything.</param>
    /// <exception cref="ArgumentOutOfRangeException">A part of <paramref name="cost"/> exceeds its dimension's capacity.</exception>
    /// <exception cref="QuotaExhaustedException">A provider reported a non-retryable exhaustion.</exception>
    /// <exception cref="QueueLimitExceededException">Too many requests wait already.</exception>
    public async ValueTask<QuotaReservation> ReserveAsync(RequestCost cost, CancellationToken cancellationToken = default)
    {
        Validate(cost);
        cancellationToken.ThrowIfCancellationRequested();
        bool idle;
        lock (_gate)
        {
            idle = _waiters.Count == 0 && !_pumping;
        }

        if (idle)
        {
            var attempt = await AttemptAsync(cost).ConfigureAwait(false);
            if (attempt.Reservation is { } granted)
            {
                return granted;
            }
        }

        var waiter = new RedisQuotaWaiter(cost);
        bool startPump;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_waiters.Count >= _maxQueuedRequests)
            {
                throw new QueueLimitExceededException($"{_waiters.Count} requests already wait for the {Key} quota, the most allowed.");
            }

            waiter.Node = _waiters.AddLast(waiter);
            startPump = !_pumping;
            _pumping = true;
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var (quota, canceled) = ((RedisQuota, RedisQuotaWaiter))state!;
                    quota.OnWaiterCanceled(canceled, token);
                },
                (this, waiter));
        }

        if (startPump)
        {
            _ = Task.Run(PumpAsync, CancellationToken.None);
        }

        try
        {
            return await waiter.Task.ConfigureAwait(false);
        }
        finally
        {
            await waiter.Registration.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adapts to what the provider said about one response, for every process: learned limits and a 429 hold are
    /// written to Redis (and honoured by every process's next reservation), the levels are lowered to the reported
    /// remaining, and a non-retryable exhaustion fails every process fast until it resets. Nothing is sent when the
    /// response changes nothing. The rules are <see cref="LlmQuota.Observe"/>'s.
    /// </summary>
    /// <param name="signals">What the response said.</param>
    /// <param name="reservation">The reservation the response answers, if any.</param>
    /// <param name="sinceSent">How long ago the request was sent: refill during that time is credited back.</param>
    public void Observe(in RateLimitSignals signals, QuotaReservation? reservation = null, TimeSpan sinceSent = default)
    {
        var state = Volatile.Read(ref _state);
        var learned = new long[DimensionCount];
        var targets = new long?[DimensionCount];
        bool send = false;
        var requestsDimension = signals.RequestsWindow == RateLimitWindow.Day ? QuotaDimension.RequestsPerDay : QuotaDimension.RequestsPerMinute;

        void Learn(QuotaDimension dimension, long? limit)
        {
            if (limit is > 0 and var l && l != state.LimitValues[(int)dimension])
            {
                learned[(int)dimension] = l;
                send = true;
            }
        }

        void Lower(QuotaDimension dimension, long? remaining)
        {
            int d = (int)dimension;
            long limit = learned[d] != 0 ? learned[d] : state.LimitValues[d];
            if (remaining is not { } reported || limit == 0)
            {
                return;
            }

            long mine = reservation is { IsEnded: false } ? LlmQuota.CostOf(reservation.Cost, dimension) : 0;
            long others = Math.Max(0, Volatile.Read(ref _inFlightTokens[d]) - mine);
            long refilled = (long)(Math.Max(0, sinceSent.TotalMicroseconds) * limit / WindowMicroseconds[d]);
            long target = reported - others + refilled;
            if (target < (Available(dimension) ?? long.MaxValue))
            {
                targets[d] = target;
                send = true;
            }
        }

        Learn(requestsDimension, signals.Requests.Limit);
        Learn(QuotaDimension.TokensPerMinute, signals.Tokens.Limit);
        Learn(QuotaDimension.InputTokensPerMinute, signals.InputTokens.Limit);
        Learn(QuotaDimension.OutputTokensPerMinute, signals.OutputTokens.Limit);
        Lower(requestsDimension, signals.Requests.Remaining);
        Lower(QuotaDimension.TokensPerMinute, signals.Tokens.Remaining);
        Lower(QuotaDimension.InputTokensPerMinute, signals.InputTokens.Remaining);
        Lower(QuotaDimension.OutputTokensPerMinute, signals.OutputTokens.Remaining);

        TimeSpan hold = TimeSpan.Zero;
        TimeSpan? exhaustedFor = null;
        string code = string.Empty;
        switch (signals.ErrorClass)
        {
            case RateLimitErrorClass.RateLimited when signals.Retryable != false:
                hold = RateLimitHold(signals);
                if (signals.Requests.Remaining == 0)
                {
                    targets[(int)requestsDimension] = 0;
                }

                if (signals.Tokens.Remaining == 0)
                {
                    targets[(int)QuotaDimension.TokensPerMinute] = 0;
                }

                send = true;
                CloseLocallyFor(hold);
                break;
            case RateLimitErrorClass.QuotaExhausted:
            case RateLimitErrorClass.RateLimited:
                exhaustedFor = ExhaustionReset(signals) ?? Timeout.InfiniteTimeSpan;
                code = signals.ErrorCode ?? signals.ErrorType ?? "quota exhausted";
                Volatile.Read(ref _fallback)?.MarkExhausted(Exhaustion(code, exhaustedFor.Value), exhaustedFor == Timeout.InfiniteTimeSpan ? null : exhaustedFor);
                FailWaiters(Exhaustion(code, exhaustedFor.Value));
                send = true;
                break;
        }

        if (!send || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var args = Arguments(RedisQuotaScript.ObserveSignals);
        for (int d = 0; d < DimensionCount; d++)
        {
            args[10 + d] = targets[d] is { } t ? t : RedisValue.EmptyString;
            args[21 + d] = learned[d];
        }

        args[18] = (long)Math.Ceiling(hold.TotalMicroseconds);
        args[19] = exhaustedFor is not { } e ? RedisValue.EmptyString : e == Timeout.InfiniteTimeSpan ? -1 : (long)Math.Ceiling(e.TotalMicroseconds);
        args[20] = code;
        Write(args);
        Wake();
    }

    /// <summary>Asks Redis for the shared levels and limits now, so that <see cref="Available"/> and <see cref="Limits"/> show them.</summary>
    /// <returns>Whether Redis answered.</returns>
    public async Task<bool> RefreshAsync()
    {
        try
        {
            Apply(await EvaluateAsync(Arguments(RedisQuotaScript.Peek)).ConfigureAwait(false));
            _breaker.OnSuccess();
            return true;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            _breaker.OnFailure();
            return false;
        }
    }

    /// <summary>Completes every waiter with <see cref="ObjectDisposedException"/>. Reservations still in flight can still end.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _disposing.Cancel();
        FailWaiters(new ObjectDisposedException(ToString()));
        Wake();
        Volatile.Read(ref _fallback)?.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override string ToString() => $"RedisQuota({Key}, {InFlight} in flight here, {QueuedCount} waiting here{(IsDegraded ? ", Redis unreachable" : string.Empty)})";

    /// <summary>Waits until every write sent so far (reconciliations, signals) has been answered or has failed.</summary>
    internal async Task FlushAsync()
    {
        try
        {
            await Volatile.Read(ref _lastWrite).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            // The write was lost; the breaker already knows.
        }
    }

    /// <summary>Whether the wait loop is asleep on its timer (tests advance a fake clock only then).</summary>
    internal bool IsPumpSleeping
    {
        get
        {
            lock (_gate)
            {
                return _wake is not null;
            }
        }
    }

    /// <summary>The local fallback quota, once an outage created it.</summary>
    internal LlmQuota? Fallback => Volatile.Read(ref _fallback);

    /// <summary>A reservation granted by Redis ended: send its reconciliation and free its lease, without waiting.</summary>
    internal void ReleaseShared(in RequestCost cost, long[] deltas, string? leaseId)
    {
        SendRelease(deltas, leaseId);

        // After the release is on the wire: a waiter woken here sends its reservation behind it on the same connection.
        ReleaseLocal(cost);
    }

    private void SendRelease(long[] deltas, string? leaseId)
    {
        bool any = leaseId is not null;
        for (int d = 0; d < DimensionCount && !any; d++)
        {
            any = deltas[d] != 0;
        }

        if (!any || _breaker.IsOpen)
        {
            // During an outage the reconciliation is lost (the reserved charge stands) and the lease expires by itself.
            return;
        }

        var args = Arguments(RedisQuotaScript.AdjustAndRelease);
        for (int d = 0; d < DimensionCount; d++)
        {
            args[10 + d] = deltas[d];
        }

        args[16] = leaseId ?? string.Empty;
        Write(args);
    }

    /// <summary>Any reservation of this process ended: its slot is free here, and the queue may go on.</summary>
    internal void ReleaseLocal(in RequestCost cost)
    {
        for (int d = 0; d < DimensionCount; d++)
        {
            Interlocked.Add(ref _inFlightTokens[d], -LlmQuota.CostOf(cost, (QuotaDimension)d));
        }

        Interlocked.Decrement(ref _inFlight);
        Wake();
    }

    private async ValueTask<Attempt> AttemptAsync(RequestCost cost, bool synchronous = false)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        long closedUntil = Volatile.Read(ref _closedUntil);
        long now = _time.GetTimestamp();
        if (closedUntil > now)
        {
            return new Attempt(null, _time.GetElapsedTime(now, closedUntil));
        }

        if (_maxConcurrency > 0 && InFlight >= _maxConcurrency)
        {
            // Every slot is ours: only a release here frees one, and it wakes the queue.
            return new Attempt(null, Timeout.InfiniteTimeSpan);
        }

        if (_breaker.TryEnter())
        {
            if (!_redis.IsConnected)
            {
                // Not connected (yet, or again): send nothing, so that nothing waits in the multiplexer's backlog.
                _breaker.OnFailure();
                return ReserveWithoutRedis(cost);
            }

            string? leaseId = _maxConcurrency > 0 ? string.Create(CultureInfo.InvariantCulture, $"{_instanceId}:{Interlocked.Increment(ref _leaseCounter)}") : null;
            var args = Arguments(RedisQuotaScript.Reserve);
            for (int d = 0; d < DimensionCount; d++)
            {
                args[10 + d] = LlmQuota.CostOf(cost, (QuotaDimension)d);
            }

            args[16] = leaseId ?? string.Empty;
            RedisQuotaReply reply;
            try
            {
                // The synchronous path (TryReserve) uses the multiplexer's own blocking call: blocking on an async
                // continuation instead would starve the thread pool under load.
                reply = synchronous ? Evaluate(args) : await EvaluateAsync(args).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                _breaker.OnFailure();
                return ReserveWithoutRedis(cost);
            }

            _breaker.OnSuccess();
            Apply(reply);
            switch (reply.Status)
            {
                case RedisQuotaScript.Granted:
                    return new Attempt(Grant(cost, new RedisReservationOwner(this, leaseId)), TimeSpan.Zero);
                case RedisQuotaScript.ConcurrencyFull:
                    return new Attempt(null, _options.ConcurrencyPollInterval);
                case RedisQuotaScript.Exhausted:
                    throw Exhaustion(reply.Code, reply.Detail < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMicroseconds(reply.Detail));
                case RedisQuotaScript.TooLarge:
                    var dimension = (QuotaDimension)reply.Detail;
                    throw new ArgumentOutOfRangeException(nameof(cost), LlmQuota.CostOf(cost, dimension), string.Create(CultureInfo.InvariantCulture,
                        $"This request needs {LlmQuota.CostOf(cost, dimension):N0} on {dimension} but the {Key} limit is {Capacity(reply.Limits[(int)dimension]):N0}: it could never be sent. Lower max_tokens or split the input."));
                default:
                    Debug.Assert(reply.Status == RedisQuotaScript.Refused);
                    return new Attempt(null, TimeSpan.FromMicroseconds(Math.Max(1, reply.Detail)));
            }
        }

        return ReserveWithoutRedis(cost);
    }

    private Attempt ReserveWithoutRedis(in RequestCost cost)
    {
        if (_options.FailurePolicy == RedisFailurePolicy.FailClosed)
        {
            return new Attempt(null, _breaker.RetryIn);
        }

        var fallback = EnsureFallback();
        if (fallback.TryReserve(cost, out _, out var retryAfter))
        {
            // The local reservation is ended through its owner, so that it is reconciled locally but reported as ours.
            return new Attempt(Grant(cost, new LocalFallbackReservationOwner(this, fallback)), TimeSpan.Zero);
        }

        var probe = _breaker.RetryIn;
        return new Attempt(null, retryAfter < probe ? retryAfter : probe);
    }

    private QuotaReservation Grant(in RequestCost cost, IQuotaReservationOwner owner)
    {
        Interlocked.Increment(ref _inFlight);
        for (int d = 0; d < DimensionCount; d++)
        {
            Interlocked.Add(ref _inFlightTokens[d], LlmQuota.CostOf(cost, (QuotaDimension)d));
        }

        return new QuotaReservation(this, owner, cost);
    }

    private LlmQuota EnsureFallback()
    {
        if (Volatile.Read(ref _fallback) is { } existing)
        {
            return existing;
        }

        int n = _options.ExpectedInstances;
        var limits = Limits;
        var share = new QuotaLimits
        {
            RequestsPerMinute = Share(limits.RequestsPerMinute, n),
            TokensPerMinute = Share(limits.TokensPerMinute, n),
            InputTokensPerMinute = Share(limits.InputTokensPerMinute, n),
            OutputTokensPerMinute = Share(limits.OutputTokensPerMinute, n),
            RequestsPerDay = Share(limits.RequestsPerDay, n),
            TokensPerDay = Share(limits.TokensPerDay, n),
            MaxConcurrency = limits.MaxConcurrency is { } c ? Math.Max(1, c / n) : null,
        };
        var created = new LlmQuota(Key, share, _time, burstHeadroom: _burstHeadroom);
        var winner = Interlocked.CompareExchange(ref _fallback, created, null);
        if (winner is not null)
        {
            created.Dispose();
            return winner;
        }

        return created;

        static long? Share(long? limit, int n) => limit is { } l ? Math.Max(1, l / n) : null;
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            RedisQuotaWaiter head;
            lock (_gate)
            {
                if (_waiters.First is not { } first || Volatile.Read(ref _disposed) != 0)
                {
                    _pumping = false;
                    return;
                }

                head = first.Value;
            }

            Attempt attempt;
            try
            {
                attempt = await AttemptAsync(head.Cost).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Remove(head);
                head.TrySetException(ex);
                continue;
            }

            if (attempt.Reservation is { } reservation)
            {
                Remove(head);
                if (!head.TrySetResult(reservation))
                {
                    reservation.Cancel(); // the caller gave up meanwhile: a canceled wait keeps nothing
                }

                continue;
            }

            await SleepAsync(attempt.Wait).ConfigureAwait(false);
        }
    }

    private async Task SleepAsync(TimeSpan wait)
    {
        // An unknown wait (our own slots are all taken) still looks again now and then: a lease may have expired.
        var delay = wait == Timeout.InfiniteTimeSpan ? TimeSpan.FromSeconds(1) : wait > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : wait;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);

        // The timer is armed before the loop reports itself asleep, so a clock moved after that is always seen.
        var timer = Task.Delay(delay, _time, stop.Token);
        Task woken;
        lock (_gate)
        {
            if (_wakeRequested)
            {
                _wakeRequested = false;
                woken = Task.CompletedTask;
            }
            else
            {
                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                woken = _wake.Task;
            }
        }

        await Task.WhenAny(timer, woken).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _wake = null;
            _wakeRequested = false;
        }
    }

    private void Wake()
    {
        lock (_gate)
        {
            if (_wake is { } wake)
            {
                _wake = null;
                wake.TrySetResult();
            }
            else if (_pumping)
            {
                _wakeRequested = true;
            }
        }
    }

    private void Remove(RedisQuotaWaiter waiter)
    {
        lock (_gate)
        {
            if (waiter.Node is { List: not null } node)
            {
                _waiters.Remove(node);
            }
        }
    }

    private void OnWaiterCanceled(RedisQuotaWaiter waiter, CancellationToken token)
    {
        Remove(waiter);
        waiter.TrySetCanceled(token);
        Wake();
    }

    private void FailWaiters(Exception error)
    {
        RedisQuotaWaiter[] failed;
        lock (_gate)
        {
            failed = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in failed)
        {
            waiter.TrySetException(error);
        }
    }

    private void CloseLocallyFor(TimeSpan wait)
    {
        long until = _time.GetTimestamp() + (long)Math.Ceiling(Math.Min(wait.TotalSeconds, 86_400) * _time.TimestampFrequency);
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
        Volatile.Read(ref _fallback)?.CloseFor(wait);
    }

    private QuotaExhaustedException Exhaustion(string code, TimeSpan resetsAfter) =>
        new(Key, code, resetsAfter == Timeout.InfiniteTimeSpan ? null : _time.GetUtcNow() + resetsAfter);

    private void Validate(in RequestCost cost)
    {
        if (cost.Requests < 0 || cost.InputTokens < 0 || cost.OutputTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost, "Every part of a request's cost must be zero or positive.");
        }

        var state = Volatile.Read(ref _state);
        for (int d = 0; d < DimensionCount; d++)
        {
            var dimension = (QuotaDimension)d;
            long amount = LlmQuota.CostOf(cost, dimension);
            long limit = state.LimitValues[d];
            if (amount > 0 && limit > 0 && amount > Capacity(limit))
            {
                throw new ArgumentOutOfRangeException(nameof(cost), amount, string.Create(CultureInfo.InvariantCulture,
                    $"This request needs {amount:N0} on {dimension} but the {Key} limit is {Capacity(limit):N0}: it could never be sent. Lower max_tokens or split the input."));
            }
        }

        if (_maxConcurrency > 0 && cost.Requests > _maxConcurrency)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost.Requests, $"This cost counts {cost.Requests} requests but the {Key} concurrency limit is {_maxConcurrency}.");
        }
    }

    private TimeSpan EstimateWait(in RequestCost cost)
    {
        var state = Volatile.Read(ref _state);
        double wait = 0;
        for (int d = 0; d < DimensionCount; d++)
        {
            long amount = LlmQuota.CostOf(cost, (QuotaDimension)d);
            if (amount > 0 && state.LimitValues[d] > 0 && Available((QuotaDimension)d) is { } level && level < amount)
            {
                wait = Math.Max(wait, (amount - level) * (double)WindowMicroseconds[d] / state.LimitValues[d]);
            }
        }

        return Clamp(TimeSpan.FromMicroseconds(wait));
    }

    private static TimeSpan Clamp(TimeSpan wait) =>
        wait == Timeout.InfiniteTimeSpan || wait <= TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait;

    private long Capacity(long limit) => Math.Max(1, limit - (long)(limit * _burstHeadroom));

    private RedisValue[] Arguments(string op)
    {
        var args = new RedisValue[27];
        args[0] = op;
        args[1] = _options.UseClientClock
            ? ((_time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10).ToString(CultureInfo.InvariantCulture)
            : RedisValue.EmptyString;
        args[2] = _burstHeadroom.ToString("R", CultureInfo.InvariantCulture);
        for (int d = 0; d < DimensionCount; d++)
        {
            args[3 + d] = _configuredLimits[d];
            args[10 + d] = 0;
            args[21 + d] = 0;
        }

        args[9] = _maxConcurrency;
        args[16] = RedisValue.EmptyString;
        args[17] = (long)_options.ConcurrencyLeaseDuration.TotalMilliseconds;
        args[18] = 0;
        args[19] = RedisValue.EmptyString;
        args[20] = RedisValue.EmptyString;
        return args;
    }

    private void Write(RedisValue[] args)
    {
        var write = WriteAsync(args);
        Volatile.Write(ref _lastWrite, write);
    }

    private async Task WriteAsync(RedisValue[] args)
    {
        try
        {
            Apply(await EvaluateAsync(args).ConfigureAwait(false));
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            _breaker.OnFailure();
        }
    }

    private RedisQuotaReply Evaluate(RedisValue[] args)
    {
        var database = _redis.GetDatabase();
        RedisResult result;
        try
        {
            result = database.ScriptEvaluate(ScriptHash, _keys, args);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            result = database.ScriptEvaluate(RedisQuotaScript.Source, _keys, args);
        }

        return RedisQuotaReply.Parse(result);
    }

    private async Task<RedisQuotaReply> EvaluateAsync(RedisValue[] args)
    {
        var database = _redis.GetDatabase();
        RedisResult result;
        try
        {
            result = await database.ScriptEvaluateAsync(ScriptHash, _keys, args).WaitAsync(_options.OperationTimeout).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // First use on this server (or after a restart): send the source once; the server caches it by its SHA1.
            result = await database.ScriptEvaluateAsync(RedisQuotaScript.Source, _keys, args).WaitAsync(_options.OperationTimeout).ConfigureAwait(false);
        }

        return RedisQuotaReply.Parse(result);
    }

    private void Apply(RedisQuotaReply reply)
    {
        var next = new SharedState(reply, _time.GetTimestamp(), _configured, _maxConcurrency);
        SharedState current;
        do
        {
            current = Volatile.Read(ref _state);
            if (current.ServerMicroseconds > reply.NowMicroseconds)
            {
                return; // answers can complete out of order; keep the newest
            }
        }
        while (Interlocked.CompareExchange(ref _state, next, current) != current);

        if (reply.HoldLeftMicroseconds > 0)
        {
            CloseLocallyFor(TimeSpan.FromMicroseconds(reply.HoldLeftMicroseconds));
        }
    }

    private static bool IsRedisFailure(Exception ex) => ex is RedisException or TimeoutException;

    private static TimeSpan RateLimitHold(in RateLimitSignals signals)
    {
        var wait = signals.RetryAfter ?? signals.BodyRetryHint;
        if (wait is null)
        {
            foreach (var dimension in (ReadOnlySpan<RateLimitDimension>)[signals.Requests, signals.Tokens, signals.InputTokens, signals.OutputTokens])
            {
                if (dimension.Remaining == 0 && dimension.Reset is { } reset && (wait is null || reset > wait))
                {
                    wait = reset;
                }
            }
        }

        return wait ?? TimeSpan.FromSeconds(1);
    }

    private static TimeSpan? ExhaustionReset(in RateLimitSignals signals)
    {
        if (signals.RetryAfter is { } retryAfter)
        {
            return retryAfter;
        }

        bool perDay = signals.QuotaViolations?.Any(v => v.Window == RateLimitWindow.Day) == true || signals.RequestsWindow == RateLimitWindow.Day;
        return perDay ? signals.Requests.Reset ?? TimeSpan.FromHours(24) : null;
    }

    private readonly record struct Attempt(QuotaReservation? Reservation, TimeSpan Wait);

    /// <summary>The quota as Redis last described it.</summary>
    private sealed class SharedState
    {
        internal SharedState(RedisQuotaReply reply, long receivedAt, QuotaLimits configured, int maxConcurrency)
        {
            ServerMicroseconds = reply.NowMicroseconds;
            ReceivedAt = receivedAt;
            Levels = reply.Levels;
            LimitValues = reply.Limits;
            LeasesHeld = (int)reply.LeasesHeld;
            Limits = configured with
            {
                RequestsPerMinute = NullIfZero(reply.Limits[0]),
                TokensPerMinute = NullIfZero(reply.Limits[1]),
                InputTokensPerMinute = NullIfZero(reply.Limits[2]),
                OutputTokensPerMinute = NullIfZero(reply.Limits[3]),
                RequestsPerDay = NullIfZero(reply.Limits[4]),
                TokensPerDay = NullIfZero(reply.Limits[5]),
                MaxConcurrency = maxConcurrency == 0 ? null : maxConcurrency,
            };
        }

        private SharedState(long[] limits, long[] levels, QuotaLimits configured, long receivedAt)
        {
            ServerMicroseconds = double.MinValue;
            ReceivedAt = receivedAt;
            Levels = levels;
            LimitValues = limits;
            Limits = configured;
        }

        internal double ServerMicroseconds { get; }

        internal long ReceivedAt { get; }

        internal long[] Levels { get; }

        internal long[] LimitValues { get; }

        internal int LeasesHeld { get; }

        internal QuotaLimits Limits { get; }

        /// <summary>Before Redis answered: the configured limits, every bucket assumed full.</summary>
        internal static SharedState Initial(RedisQuota quota)
        {
            var limits = (long[])quota._configuredLimits.Clone();
            var levels = new long[DimensionCount];
            for (int d = 0; d < DimensionCount; d++)
            {
                levels[d] = limits[d] == 0 ? 0 : quota.Capacity(limits[d]);
            }

            return new SharedState(limits, levels, quota._configured, quota._time.GetTimestamp());
        }

        private static long? NullIfZero(long value) => value == 0 ? null : value;
    }
}
