using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using FastBucket.Buckets;
using FastBucket.Waiters;

namespace FastBucket;

/// <summary>
/// A lock-free token bucket: <see cref="Capacity"/> tokens of burst, refilled continuously at
/// <see cref="TokensPerSecond"/>. Its whole state is one 64-bit word (a GCRA theoretical arrival time fused
/// with a waiters flag) changed by <see cref="Interlocked.CompareExchange(ref long, long, long)"/>; a grant or
/// refusal takes one clock read and one CAS, no lock and no allocation.
/// </summary>
/// <remarks>
/// <para><b>Fairness.</b> Async acquires wait in FIFO order and are woken by one timer armed for the exact
/// instant the head's tokens will be there. While anyone waits, <see cref="TryAcquire(long)"/> refuses rather
/// than barge past them, so a large request is never starved by a stream of small ones.</para>
/// <para><b>Range.</b> Capacity 1 to <see cref="MaxCapacity"/> and at most one year of refill; rate one token
/// per day to 10^9 tokens per second; any uptime (the clock is rebased before the word could wrap). The
/// word's layout, resolution and rounding are documented on <c>BucketGeneration</c> in the source and in
/// the README: every decision is exact rational arithmetic on whole units of 1/2^k token at the stored rate, where
/// 2^k (≥ 1) is its sub-token resolution (2^20 at 1,000 tokens per second); a rate that does not fit the stored
/// fraction is rounded down, never up.</para>
/// <para><b>Limit changes.</b> <see cref="SetLimits(long, double)"/> may race every other call: an acquire either
/// completes under the old limits or is checked against the new ones (more tokens than the new capacity throws
/// <see cref="ArgumentOutOfRangeException"/>), and a waiter the new capacity can never serve fails at once with it.</para>
/// </remarks>
[DebuggerDisplay("Available = {Available}, Capacity = {Capacity}, Rate = {TokensPerSecond}/s")]
public sealed class TokenBucket : IWaiterHost<long>, IDisposable, IAsyncDisposable
{
    /// <summary>The largest capacity served: 10^16 tokens.</summary>
    public const long MaxCapacity = 10_000_000_000_000_000;

    /// <summary>The slowest refill rate served: one token per day.</summary>
    public const double MinTokensPerSecond = RefillRate.MinTokensPerSecond;

    /// <summary>The fastest refill rate served: 10^9 tokens per second.</summary>
    public const double MaxTokensPerSecond = RefillRate.MaxTokensPerSecond;

    private const long SecondsPerYear = 31_536_000;

    private readonly TimeProvider? _clock; // null: Stopwatch, called directly so the JIT can inline it
    private readonly long _timestampFrequency;
    private readonly WaiterQueue<long> _waiters;
    private readonly object _reconfigureGate = new();
    private BucketGeneration _generation;

    /// <summary>Creates a bucket of <paramref name="capacity"/> tokens refilled at <paramref name="tokensPerSecond"/>.</summary>
    /// <param name="capacity">Most tokens held (the burst): 1 to <see cref="MaxCapacity"/>, and at most one year of refill.</param>
    /// <param name="tokensPerSecond">Refill rate: <see cref="MinTokensPerSecond"/> to <see cref="MaxTokensPerSecond"/>.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="initialTokens">The starting level; <see langword="null"/> for full.</param>
    public TokenBucket(long capacity, double tokensPerSecond, TimeProvider? timeProvider = null, long? initialTokens = null)
        : this(capacity, RefillRate.FromTokensPerSecond(tokensPerSecond, nameof(tokensPerSecond)), timeProvider, initialTokens,
            int.MaxValue, long.MaxValue)
    {
    }

    /// <summary>Creates a bucket from <paramref name="options"/>.</summary>
    public TokenBucket(TokenBucketOptions options)
        : this(
            (options ?? throw new ArgumentNullException(nameof(options))).Capacity,
            RefillRate.Create(options.TokensPerPeriod, options.RefillPeriod, "options.TokensPerPeriod", "options.RefillPeriod"),
            options.TimeProvider,
            options.InitialTokens,
            options.MaxQueuedWaiters,
            options.MaxQueuedTokens)
    {
    }

    private TokenBucket(long capacity, RefillRate rate, TimeProvider? timeProvider, long? initialTokens, int maxQueuedWaiters, long maxQueuedTokens)
    {
        ValidateLimits(capacity, rate, nameof(capacity));
        // 0 means "never wait", as QueueLimit = 0 does for the runtime's limiters: an acquire that cannot be granted
        // at once is refused with QueueLimitExceededException.
        if (maxQueuedWaiters < 0)
        {
            throw new ArgumentOutOfRangeException("options.MaxQueuedWaiters", maxQueuedWaiters, "The most waiters must be from 0 (never wait) to int.MaxValue.");
        }

        if (maxQueuedTokens < 0)
        {
            throw new ArgumentOutOfRangeException("options.MaxQueuedTokens", maxQueuedTokens, "The most queued tokens must be from 0 (never wait) to long.MaxValue.");
        }
        timeProvider ??= TimeProvider.System;
        _clock = ReferenceEquals(timeProvider, TimeProvider.System) ? null : timeProvider;
        _timestampFrequency = timeProvider.TimestampFrequency;
        TimeProvider = timeProvider;

        var generation = new BucketGeneration(capacity, rate, Now(), _timestampFrequency);
        if (initialTokens is { } initial)
        {
            long floor = -(generation.MaxDebtUnits >> generation.UnitShift);
            if (initial > capacity || initial < floor)
            {
                throw new ArgumentOutOfRangeException(nameof(initialTokens), initial,
                    string.Create(CultureInfo.InvariantCulture, $"The initial level must be between {floor} (one year of refill in debt) and the capacity, {capacity}."));
            }

            generation.State = generation.TatForLevel(initial << generation.UnitShift, 0);
        }

        _generation = generation;
        _waiters = new WaiterQueue<long>(this, timeProvider, static tokens => tokens, maxQueuedWaiters, maxQueuedTokens);
    }

    /// <summary>A bucket of <paramref name="tokens"/> burst refilled at <paramref name="tokens"/> per second.</summary>
    public static TokenBucket PerSecond(long tokens, TimeProvider? timeProvider = null) => PerPeriod(tokens, TimeSpan.FromSeconds(1), timeProvider);

    /// <summary>A bucket of <paramref name="tokens"/> burst refilled at <paramref name="tokens"/> per minute, continuously.</summary>
    public static TokenBucket PerMinute(long tokens, TimeProvider? timeProvider = null) => PerPeriod(tokens, TimeSpan.FromMinutes(1), timeProvider);

    /// <summary>A bucket of <paramref name="tokens"/> burst refilled at <paramref name="tokens"/> per hour, continuously.</summary>
    public static TokenBucket PerHour(long tokens, TimeProvider? timeProvider = null) => PerPeriod(tokens, TimeSpan.FromHours(1), timeProvider);

    /// <summary>A bucket of <paramref name="tokens"/> burst refilled at <paramref name="tokens"/> per day, continuously.</summary>
    public static TokenBucket PerDay(long tokens, TimeProvider? timeProvider = null) => PerPeriod(tokens, TimeSpan.FromDays(1), timeProvider);

    private static TokenBucket PerPeriod(long tokens, TimeSpan period, TimeProvider? timeProvider) =>
        new(new TokenBucketOptions { Capacity = tokens, TokensPerPeriod = tokens, RefillPeriod = period, TimeProvider = timeProvider });

    /// <summary>The clock this bucket reads.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Most tokens the bucket holds.</summary>
    public long Capacity => Current.Capacity;

    /// <summary>The refill rate in tokens per second.</summary>
    public double TokensPerSecond => Current.Rate.TokensPerSecond;

    /// <summary>
    /// The level now, in whole tokens (rounded down; negative while in debt). A snapshot: other threads may
    /// change it at once.
    /// </summary>
    public long Available
    {
        get
        {
            var (generation, state, v) = Snapshot();
            return generation.LevelUnits(state, v) >> generation.UnitShift;
        }
    }

    /// <summary>Async acquires waiting now.</summary>
    public int QueuedCount => _waiters.Count;

    /// <summary>Tokens asked for by async acquires waiting now.</summary>
    public long QueuedTokens => _waiters.QueuedWeight;

    /// <summary>
    /// Whether an async acquire of <paramref name="tokens"/> would be refused now for the wait queue's limits
    /// (a snapshot), so that an adapter can answer "queue full" without the cost of the exception.
    /// </summary>
    internal bool IsQueueFullFor(long tokens) =>
        _waiters.Count >= _waiters.MaxWaiters || _waiters.QueuedWeight > _waiters.MaxQueuedWeight - tokens;

    /// <summary>Idle waiters kept for reuse (for tests: the pool stays bounded however many waited).</summary>
    internal int PooledWaiters => _waiters.PooledCount;

    /// <summary>The level in units of 1/2^k token, exact (for tests and adapters).</summary>
    internal (long LevelUnits, long UnitsPerToken) AvailableUnits
    {
        get
        {
            var (generation, state, v) = Snapshot();
            return (generation.LevelUnits(state, v), generation.UnitsPerToken);
        }
    }

    /// <summary>
    /// How long the bucket has been full with nobody waiting; <see langword="null"/> while it is not full,
    /// while anyone waits, or once disposed. For idle eviction; off the hot path.
    /// </summary>
    /// <remarks>
    /// Nothing is tracked for this: a full bucket's TAT is the virtual time at which it became full, so the
    /// idle span is read off the state word (one clock read, no writes on any acquire path). Across a change
    /// of limits or a clock rebase the span restarts at the change, which only ever understates it.
    /// </remarks>
    internal TimeSpan? IdleDuration
    {
        get
        {
            var generation = Current;
            long now = Now();
            while (true)
            {
                long state = Volatile.Read(ref generation.State);
                if (state >= 0)
                {
                    return IdleFor(generation, state, now);
                }

                generation = Volatile.Read(ref generation.Successor);
                if (generation is null)
                {
                    return null; // disposed
                }
            }
        }
    }

    private BucketGeneration Current => Volatile.Read(ref _generation);

    /// <summary>
    /// Disposes the bucket if, at that instant, it is full, nobody waits, and it has been idle for at least
    /// <paramref name="idleTime"/>: the check and the retirement are one CAS on the state word, so no grant can
    /// slip in between and a replacement bucket created full loses nothing. For evicting idle partitions.
    /// </summary>
    /// <returns><see langword="true"/> if this call disposed the bucket.</returns>
    internal bool TryRetireIfIdle(TimeSpan idleTime)
    {
        lock (_reconfigureGate)
        {
            // Rebase and Replace retire generations only under this gate, so Current is live or disposed.
            var generation = Current;
            long state = Volatile.Read(ref generation.State);
            if (state < 0 || IdleFor(generation, state, Now()) is not { } idle || idle < idleTime
                || Interlocked.CompareExchange(ref generation.State, BucketGeneration.Retired, state) != state)
            {
                return false;
            }
        }

        // The retired word had no waiters flag, so the queue is empty: an acquire racing with this either
        // changed the word first (the CAS failed) or meets the retired word and throws ObjectDisposedException.
        _waiters.Dispose();
        return true;
    }

    /// <summary>
    /// Takes <paramref name="tokens"/> if they are there now and nobody is waiting; never waits.
    /// </summary>
    /// <param name="tokens">Tokens to take: 1 to <see cref="Capacity"/>.</param>
    /// <returns><see langword="true"/> if taken.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokens"/> is below 1 or above the capacity.</exception>
    /// <exception cref="ObjectDisposedException">The bucket was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAcquire(long tokens = 1)
    {
        var generation = Volatile.Read(ref _generation);
        if ((ulong)(tokens - 1) >= (ulong)generation.Capacity)
        {
            ThrowTokensOutOfRange(tokens, generation.Capacity);
        }

        long now = Now();
        while (true)
        {
            long state = Volatile.Read(ref generation.State);
            if (state < 0)
            {
                generation = CheckedForTokens(Successor(generation), tokens);
                continue;
            }

            if ((state & BucketGeneration.WaitersFlag) != 0)
            {
                return false;
            }

            long v = generation.VirtualTime(now);
            if (v > BucketGeneration.RebaseThreshold)
            {
                generation = CheckedForTokens(Rebase(generation), tokens);
                continue;
            }

            // tokens <= generation.Capacity, checked against this very generation: the shift cannot overflow.
            long next = Math.Max(state, v) + (tokens << generation.UnitShift);
            if (next - v > generation.CapacityUnits)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref generation.State, next, state) == state)
            {
                AssertInvariants(generation, state, next, v);
                return true;
            }
        }
    }

    /// <summary>
    /// Takes <paramref name="tokens"/> if they are there now and nobody is waiting; otherwise reports how long
    /// until they will be (behind the tokens already queued): the Retry-After a caller can report.
    /// </summary>
    /// <param name="tokens">Tokens to take: 1 to <see cref="Capacity"/>.</param>
    /// <param name="retryAfter"><see cref="TimeSpan.Zero"/> when taken; otherwise the wait, rounded up.</param>
    /// <returns><see langword="true"/> if taken.</returns>
    public bool TryAcquire(long tokens, out TimeSpan retryAfter)
    {
        if (TryAcquire(tokens))
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = TimeUntilLevel(SaturatingAdd(tokens, _waiters.QueuedWeight));
        if (retryAfter == TimeSpan.Zero && _waiters.Count > 0)
        {
            // The tokens are there for the waiters and for this call, but the waiters' wake is late (timers fire
            // on the OS tick). Serve them now rather than answer "retry in 100 ns" to a client that would spin on
            // it; then this call can be served too.
            _waiters.Drain();
            if (TryAcquire(tokens))
            {
                return true;
            }

            retryAfter = TimeUntilLevel(SaturatingAdd(tokens, _waiters.QueuedWeight));
        }

        if (retryAfter == TimeSpan.Zero)
        {
            // Lost a race with a refill or another caller between the CAS and this read; it is a refusal all
            // the same, and "now" is an honest answer to "when may I retry".
            retryAfter = TimeSpan.FromTicks(1);
        }

        return false;
    }

    /// <summary>How long until <paramref name="tokens"/> will be there, ignoring any waiters; zero if they are there now.</summary>
    /// <param name="tokens">Tokens: 1 to <see cref="Capacity"/>.</param>
    public TimeSpan TimeUntil(long tokens)
    {
        var capacity = Capacity;
        if ((ulong)(tokens - 1) >= (ulong)capacity)
        {
            ThrowTokensOutOfRange(tokens, capacity);
        }

        return TimeUntilLevel(tokens);
    }

    /// <summary>Gives <paramref name="tokens"/> back (for a request not sent, or one that used less); never above capacity.</summary>
    /// <param name="tokens">Tokens to return: at least 1.</param>
    public void Refund(long tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        var refund = new RefundTransition(tokens);
        WakeWaitersIfAny(Update(ref refund));
    }

    /// <summary>
    /// Charges <paramref name="tokens"/> whether or not they are there, driving the level below zero if need
    /// be (debt), for charging real usage after the fact. The refill repays debt at the normal rate; debt
    /// deeper than one year of refill is clamped there.
    /// </summary>
    /// <param name="tokens">Tokens to charge: at least 1.</param>
    /// <returns>The level after the charge, in whole tokens (negative while in debt).</returns>
    public long ForceAcquire(long tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        var charge = new ForceTransition(tokens);
        Update(ref charge);
        return charge.Level;
    }

    /// <summary>
    /// Sets the level to <paramref name="tokens"/> (for example the remaining count a server reported),
    /// clamped to the capacity at the top and one year of debt at the bottom.
    /// </summary>
    public void SetAvailable(long tokens)
    {
        var set = new SetLevelTransition(tokens, lowerOnly: false);
        WakeWaitersIfAny(Update(ref set));
    }

    /// <summary>
    /// Lowers the level to <paramref name="tokens"/> if it is above; never raises it. This is how a server's
    /// "remaining" is adopted without undoing charges the server has not counted yet.
    /// </summary>
    /// <returns><see langword="true"/> if the level was lowered.</returns>
    public bool ReduceAvailableTo(long tokens)
    {
        var lower = new SetLevelTransition(tokens, lowerOnly: true);
        Update(ref lower);
        return lower.Changed;
    }

    /// <summary>
    /// Changes the capacity and rate, keeping the current level (clamped to the new capacity). Safe to call
    /// while other threads acquire: they either complete under the old limits or retry under the new ones.
    /// </summary>
    /// <param name="capacity">New capacity, as in the constructor.</param>
    /// <param name="tokensPerSecond">New rate, as in the constructor.</param>
    public void SetLimits(long capacity, double tokensPerSecond) =>
        Reconfigure(capacity, RefillRate.FromTokensPerSecond(tokensPerSecond, nameof(tokensPerSecond)));

    /// <summary>Changes the capacity and rate to <paramref name="tokensPerPeriod"/> per <paramref name="period"/>, exactly, keeping the level.</summary>
    public void SetLimits(long capacity, long tokensPerPeriod, TimeSpan period) =>
        Reconfigure(capacity, RefillRate.Create(tokensPerPeriod, period, nameof(tokensPerPeriod), nameof(period)));

    /// <summary>
    /// Waits until <paramref name="tokens"/> are there and takes them, in FIFO order with other waiters.
    /// Completes synchronously, without allocating, when the tokens are there and nobody waits.
    /// </summary>
    /// <param name="tokens">Tokens to take: 1 to <see cref="Capacity"/> (more could never be granted and fails at once).</param>
    /// <param name="cancellationToken">Cancels the wait; a canceled waiter never keeps tokens.</param>
    /// <exception cref="QueueLimitExceededException">The wait queue is at its limit.</exception>
    /// <exception cref="ObjectDisposedException">The bucket was or is disposed while waiting.</exception>
    public ValueTask AcquireAsync(long tokens = 1, CancellationToken cancellationToken = default)
    {
        if (TryAcquire(tokens))
        {
            return ValueTask.CompletedTask;
        }

        return _waiters.EnqueueUntypedAsync(tokens, cancellationToken);
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for <paramref name="tokens"/>, in FIFO order with other waiters.
    /// </summary>
    /// <param name="tokens">Tokens to take: 1 to <see cref="Capacity"/>.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for no limit, zero to not wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns><see langword="true"/> if taken; <see langword="false"/> if the timeout passed first (nothing taken).</returns>
    public ValueTask<bool> AcquireAsync(long tokens, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero or positive, or Timeout.InfiniteTimeSpan.");
        }

        return TryAcquire(tokens) ? new ValueTask<bool>(true) : _waiters.EnqueueAsync(tokens, timeout, cancellationToken);
    }

    /// <summary>
    /// Blocks the calling thread until <paramref name="tokens"/> are there and takes them, in FIFO order with
    /// every other waiter (async or blocking), or until <paramref name="timeout"/> passes. For callers that are
    /// not async (console tools, <c>Parallel.For</c> workers).
    /// </summary>
    /// <remarks>
    /// Returns at once, without allocating, when the tokens are there and nobody waits. Otherwise the thread
    /// waits on an event that the grant, timeout, cancellation or disposal sets directly: no task, no
    /// sync-over-async, and nothing that needs a thread-pool thread to wake it (with system timers, which run on
    /// the thread pool, the blocked thread also wakes itself at the head's due time and deadline).
    /// </remarks>
    /// <param name="tokens">Tokens to take: 1 to <see cref="Capacity"/>.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for no limit, zero to not wait.</param>
    /// <param name="cancellationToken">Cancels the wait; a canceled waiter keeps nothing.</param>
    /// <returns><see langword="true"/> if taken; <see langword="false"/> if the timeout passed first (nothing taken).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokens"/> is outside 1 to <see cref="Capacity"/>, or <paramref name="timeout"/> is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled first.</exception>
    /// <exception cref="QueueLimitExceededException">The wait queue is at its limit.</exception>
    /// <exception cref="ObjectDisposedException">The bucket was or is disposed while waiting.</exception>
    public bool Acquire(long tokens, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero or positive, or Timeout.InfiniteTimeSpan.");
        }

        return TryAcquire(tokens) || _waiters.Wait(tokens, timeout, cancellationToken);
    }

    /// <summary>
    /// Blocks the calling thread until <paramref name="tokens"/> are there and takes them; see
    /// <see cref="Acquire(long, TimeSpan, CancellationToken)"/>.
    /// </summary>
    /// <param name="tokens">Tokens to take: 1 to <see cref="Capacity"/>.</param>
    /// <param name="cancellationToken">Cancels the wait; a canceled waiter keeps nothing.</param>
    public void Acquire(long tokens = 1, CancellationToken cancellationToken = default) =>
        Acquire(tokens, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Completes every waiter with <see cref="ObjectDisposedException"/>; later acquires throw it.</summary>
    public void Dispose()
    {
        // The queue closes first: once the word is retired every call the queue makes into the bucket
        // (grant, waiters flag) throws, and a cancellation or timer callback that removed a waiter would
        // throw before completing it. A closed queue makes no such calls.
        _waiters.Dispose();
        lock (_reconfigureGate)
        {
            // Reconfiguration happens under this gate too, so Current is live unless already disposed;
            // a retired word with no successor is what makes every later operation throw.
            Interlocked.Exchange(ref Current.State, BucketGeneration.Retired);
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"TokenBucket(available {Available} of {Capacity}, {TokensPerSecond:G6}/s, {QueuedCount} waiting)");

    /// <summary>
    /// Waits in line (FIFO, behind every waiter) until at least one token is there, and takes nothing: the
    /// runtime's 0-permit wait. Counts as a waiter but for no tokens against <see cref="TokenBucketOptions.MaxQueuedTokens"/>.
    /// </summary>
    internal ValueTask WaitForOneTokenAsync(CancellationToken cancellationToken) =>
        _waiters.Count == 0 && Available >= 1 ? ValueTask.CompletedTask : _waiters.EnqueueUntypedAsync(0, cancellationToken);

    bool IWaiterHost<long>.TryGrantToWaiter(in long tokens)
    {
        if (tokens == 0)
        {
            return Available >= 1; // a probe: one token there is enough, and it takes nothing
        }

        var grant = new GrantTransition(tokens);
        Update(ref grant);
        return grant.Granted;
    }

    // Tokens above the capacity are refused by WhyNeverGrantable before they wait; one met here (the capacity
    // was lowered a moment ago) is due now, so that the drain it triggers fails it.
    TimeSpan IWaiterHost<long>.TimeUntilGrantable(in long tokens) =>
        tokens > Capacity ? TimeSpan.Zero : TimeUntilLevel(Math.Max(tokens, 1));

    Exception? IWaiterHost<long>.WhyNeverGrantable(in long tokens)
    {
        long capacity = Capacity;
        return tokens <= capacity
            ? null
            : new ArgumentOutOfRangeException(nameof(tokens), tokens,
                string.Create(CultureInfo.InvariantCulture, $"The token count must be between 1 and the capacity, {capacity} (the limits were changed while this acquire waited); more could never be granted."));
    }

    void IWaiterHost<long>.OnWaitersChanged(bool hasWaiters)
    {
        var flag = new WaitersFlagTransition(hasWaiters);
        Update(ref flag);
    }

    private TimeSpan? IdleFor(BucketGeneration generation, long state, long now)
    {
        long tat = state & BucketGeneration.TatMask;
        if ((state & BucketGeneration.WaitersFlag) != 0 || tat > generation.VirtualTime(now))
        {
            return null;
        }

        // The instant V reached the TAT is the instant the bucket became full.
        var fullSince = generation.TicksUntilVirtualTime(tat);
        long elapsed = Math.Max(0, now - generation.EpochTimestamp);
        var idleTicks = (ulong)elapsed > fullSince ? (ulong)elapsed - fullSince : UInt128.Zero;
        var spanTicks = idleTicks * (ulong)TimeSpan.TicksPerSecond / (ulong)_timestampFrequency;
        return spanTicks < (ulong)TimeSpan.MaxValue.Ticks ? TimeSpan.FromTicks((long)spanTicks) : TimeSpan.MaxValue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Now() => _clock is null ? Stopwatch.GetTimestamp() : _clock.GetTimestamp();

    private (BucketGeneration Generation, long State, long V) Snapshot()
    {
        var generation = Current;
        long now = Now();
        while (true)
        {
            long state = Volatile.Read(ref generation.State);
            if (state >= 0)
            {
                return (generation, state, generation.VirtualTime(now));
            }

            generation = Successor(generation);
        }
    }

    private TimeSpan TimeUntilLevel(long tokens)
    {
        var (generation, state, v) = Snapshot();
        long now = Now();
        long tat = Math.Max(state & BucketGeneration.TatMask, v);
        long needV = tat + generation.ToUnits(tokens) - generation.CapacityUnits;
        return needV <= v ? TimeSpan.Zero : generation.TimeUntilVirtualTime(needV, now);
    }

    /// <summary>
    /// The CAS loop shared by every operation off the hot path: applies <paramref name="transition"/> to the
    /// live generation's word and returns the word written.
    /// </summary>
    private long Update<TTransition>(ref TTransition transition)
        where TTransition : struct, IStateTransition
    {
        var generation = Current;
        long now = Now();
        while (true)
        {
            long state = Volatile.Read(ref generation.State);
            if (state < 0)
            {
                generation = Successor(generation);
                continue;
            }

            long v = generation.VirtualTime(now);
            if (v > BucketGeneration.RebaseThreshold)
            {
                generation = Rebase(generation);
                continue;
            }

            long next = transition.Apply(generation, state, v);
            if (next == state || Interlocked.CompareExchange(ref generation.State, next, state) == state)
            {
                AssertInvariants(generation, state, next, v);
                return next;
            }
        }
    }

    private void WakeWaitersIfAny(long state)
    {
        if ((state & BucketGeneration.WaitersFlag) != 0)
        {
            _waiters.Drain();
        }
    }

    /// <summary>
    /// <paramref name="generation"/>, once <paramref name="tokens"/> is checked against its capacity: a generation
    /// met after a change of limits may have a smaller capacity (and a finer unit) than the one first checked.
    /// </summary>
    private static BucketGeneration CheckedForTokens(BucketGeneration generation, long tokens)
    {
        if ((ulong)(tokens - 1) >= (ulong)generation.Capacity)
        {
            ThrowTokensOutOfRange(tokens, generation.Capacity);
        }

        return generation;
    }

    private BucketGeneration Successor(BucketGeneration generation)
    {
        // The retiring thread wrote Successor before the CAS that retired the word, and our read of the
        // retired word came after that CAS, so Successor is visible here.
        var successor = Volatile.Read(ref generation.Successor);
        ObjectDisposedException.ThrowIf(successor is null, this);
        return successor;
    }

    private BucketGeneration Rebase(BucketGeneration generation)
    {
        lock (_reconfigureGate)
        {
            var current = Current;
            if (current == generation)
            {
                Replace(current, current.Capacity, current.Rate);
            }

            return Current;
        }
    }

    private void Reconfigure(long capacity, RefillRate rate)
    {
        ValidateLimits(capacity, rate, nameof(capacity));
        lock (_reconfigureGate)
        {
            var current = Current;
            ObjectDisposedException.ThrowIf(Volatile.Read(ref current.State) < 0, this);
            Replace(current, capacity, rate);
        }

        // Always, not only when the word says someone waits: an acquire that checked the old capacity may be
        // enqueueing now. The queue takes its lock after the new generation is published, so either that
        // enqueue sees the new capacity or this call sees its waiter; a waiter the new capacity can never
        // serve fails here, and the rest are served if the new limits allow.
        _waiters.OnLimitsChanged();
    }

    /// <summary>Retires <paramref name="current"/> in favour of a generation with new limits and the same level.</summary>
    private void Replace(BucketGeneration current, long capacity, RefillRate rate)
    {
        Debug.Assert(Monitor.IsEntered(_reconfigureGate));
        while (true)
        {
            long now = Now();
            long state = Volatile.Read(ref current.State);

            // Under the gate the current generation is replaced only here, so a retired word here was retired by
            // Dispose or idle eviction (with no successor): the bucket is gone and must stay gone.
            ObjectDisposedException.ThrowIf(state < 0, this);
            long v = current.VirtualTime(now);
            long levelUnits = current.LevelUnits(state, v);

            var next = new BucketGeneration(capacity, rate, now, _timestampFrequency);
            // Rescale the level to the new resolution, rounding down: a change of limits never adds tokens.
            long level = next.UnitShift >= current.UnitShift
                ? SaturatingShift(levelUnits, next.UnitShift - current.UnitShift)
                : levelUnits >> (current.UnitShift - next.UnitShift);
            // The successor is live from the CAS on: another thread may refund into it or set its level at once,
            // so the checks below read the word as this call wrote it, not next.State.
            long initial = (state & BucketGeneration.WaitersFlag) | next.TatForLevel(level, 0);
            next.State = initial;
            current.Successor = next;
            if (Interlocked.CompareExchange(ref current.State, BucketGeneration.Retired, state) == state)
            {
                Volatile.Write(ref _generation, next);
                AssertInvariants(next, initial, initial, 0);
                Debug.Assert(LevelUnitsAsTokens(next, initial, 0) <= LevelUnitsAsTokens(current, state, v) || level < -next.MaxDebtUnits,
                    "a change of limits never adds tokens (debt beyond the new limit of one year of refill is forgiven)");
                return;
            }
        }
    }

    /// <summary>
    /// The word's invariants across one transition from <paramref name="before"/> to <paramref name="after"/>
    /// at virtual time <paramref name="v"/>: the word stays live (only Dispose, eviction and Replace retire it,
    /// by their own CAS), its TAT stays a non-negative 62-bit number, and a transition that moves the TAT up keeps
    /// it within capacity plus the deepest debt of V: no amount, however large, wraps the word. The parameters
    /// beside the word agree with each other.
    /// </summary>
    [Conditional("DEBUG")]
    private static void AssertInvariants(BucketGeneration generation, long before, long after, long v)
    {
        Debug.Assert(after >= 0, "a transition never retires or corrupts the word (sign bit)");
        Debug.Assert((after & BucketGeneration.TatMask) <= BucketGeneration.TatMask, "the TAT fits its 62 bits");
        Debug.Assert(v >= 0 && v <= BucketGeneration.RebaseThreshold, "V was taken on a live, unrebased clock");
        long tatBefore = before & BucketGeneration.TatMask;
        long tatAfter = after & BucketGeneration.TatMask;
        Debug.Assert(tatAfter <= Math.Max(tatBefore, v) || tatAfter - v <= generation.CapacityUnits + generation.MaxDebtUnits,
            "a transition never pushes the TAT past capacity plus the deepest debt");
        Debug.Assert(generation.Capacity is >= 1 and <= MaxCapacity && generation.CapacityUnits == generation.Capacity << generation.UnitShift,
            "the generation's capacity and unit agree");
    }

    private static double LevelUnitsAsTokens(BucketGeneration generation, long state, long v) =>
        (double)generation.LevelUnits(state, v) / generation.UnitsPerToken;

    private static void ValidateLimits(long capacity, RefillRate rate, string capacityName)
    {
        if (capacity < 1 || capacity > MaxCapacity)
        {
            throw new ArgumentOutOfRangeException(capacityName, capacity,
                string.Create(CultureInfo.InvariantCulture, $"The capacity must be between 1 and {MaxCapacity} tokens."));
        }

        // capacity / rate <= one year: capacity × den <= year × num, with 10^-9 slack for rates given as
        // doubles (1.0 / 86_400 is a hair below one per day).
        if (new Int128(0, (ulong)capacity) * rate.Denominator * 1_000_000_000 > new Int128(0, SecondsPerYear) * rate.Numerator * 1_000_000_001)
        {
            throw new ArgumentOutOfRangeException(capacityName, capacity,
                string.Create(CultureInfo.InvariantCulture,
                    $"The capacity must refill within one year: at {rate.TokensPerSecond:G6} tokens per second, at most {Math.Floor(rate.TokensPerSecond * SecondsPerYear):F0} tokens."));
        }
    }

    private static long SaturatingShift(long value, int shift)
    {
        long limit = long.MaxValue >> (shift + 1);
        return Math.Clamp(value, -limit, limit) << shift;
    }

    private static long SaturatingAdd(long a, long b) => b > long.MaxValue - a ? long.MaxValue : a + b;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTokensOutOfRange(long tokens, long capacity) =>
        throw new ArgumentOutOfRangeException(nameof(tokens), tokens,
            string.Create(CultureInfo.InvariantCulture, $"The token count must be between 1 and the capacity, {capacity}; more could never be granted."));
}
