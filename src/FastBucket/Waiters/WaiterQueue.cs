using System.Diagnostics;

namespace FastBucket.Waiters;

/// <summary>
/// A FIFO queue of async acquires over one limiter, woken by ONE timer armed for the exact instant the head
/// waiter's cost will be there. No polling: the timer is re-armed only from the head's own time-until.
/// </summary>
/// <remarks>
/// <para>Invariants, all under <see cref="_sync"/>: waiters are served strictly in arrival order (a waiter
/// never overtakes an earlier one, and the host's synchronous path does not barge while the queue is
/// non-empty); a waiter leaves the queue exactly once, and whoever removes it completes it, after the lock
/// is released; the host hears <c>OnWaitersChanged(true)</c> before the first waiter can be missed and
/// <c>OnWaitersChanged(false)</c> only when the queue is empty.</para>
/// <para>The lock is not on the limiter's hot path: the synchronous grant is a CAS on the host's state and
/// only enters here when it must wait. Channels uses the same shape for its waiter queues.</para>
/// </remarks>
/// <typeparam name="TCost">What one waiter asks for.</typeparam>
internal sealed class WaiterQueue<TCost> : IDisposable
{
    private const int MaxPooled = 1024;

    /// <summary>
    /// The longest a timer can be armed for (2^32 − 2 ms, about 49.7 days; longer throws). Longer waits arm
    /// for this and re-arm when it fires: Drain and the deadline check both treat an early wake as "not yet".
    /// </summary>
    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly object _sync = new();
    private readonly IWaiterHost<TCost> _host;
    private readonly Func<TCost, long> _weight;
    /// <summary>The type of the system's timers, to recognise a clock whose timers are the system's.</summary>
    private static readonly Type s_systemTimerType = SystemTimerType();

    // Set from the start for the system's timers; learned from the first early fire for any other clock whose
    // timers truncate (a wrapper around the system's): written once, read under the lock or racily (a stale
    // false costs one more early fire).
    private bool _roundTimerToMilliseconds;
    private long _armedAtTimestamp;
    private long _armedDueTicks;
    // Grown on demand up to MaxPooled: a queue that never has many waiters at once (most partitions of a
    // partitioned limiter) must not carry an 8 KB array for them.
    private Waiter<TCost>?[] _pool = [];
    private readonly ITimer _timer;
    private int _pooled;
    private Waiter<TCost>? _head;
    private Waiter<TCost>? _tail;
    private int _count;
    private long _queuedWeight;
    private bool _disposed;

    /// <param name="host">The limiter.</param>
    /// <param name="timeProvider">Clock for the wake timer and timeouts.</param>
    /// <param name="weight">How much of the queued-tokens limit a cost counts for.</param>
    /// <param name="maxWaiters">Most waiters at once; more are refused at once.</param>
    /// <param name="maxQueuedWeight">Most queued weight at once; more is refused at once.</param>
    internal WaiterQueue(IWaiterHost<TCost> host, TimeProvider timeProvider, Func<TCost, long> weight, int maxWaiters, long maxQueuedWeight)
    {
        _host = host;
        _weight = weight;
        TimeProvider = timeProvider;
        MaxWaiters = maxWaiters;
        MaxQueuedWeight = maxQueuedWeight;

        _timer = timeProvider.CreateTimer(static s => ((WaiterQueue<TCost>)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // The system timer truncates to whole milliseconds; firing early would re-arm for ~0 ms and spin. Any
        // clock whose timers are the system's (a custom TimeProvider that overrides only the timestamp, or one
        // that hands out TimeProvider.System's timers) gets the same rounding: recognised by the timer's type.
        _roundTimerToMilliseconds = ReferenceEquals(timeProvider, TimeProvider.System) || _timer.GetType() == s_systemTimerType;
    }

    internal TimeProvider TimeProvider { get; }

    internal int MaxWaiters { get; }

    internal long MaxQueuedWeight { get; }

    /// <summary>Waiters queued now (a snapshot).</summary>
    internal int Count => Volatile.Read(ref _count);

    /// <summary>Weight (tokens) queued now (a snapshot).</summary>
    internal long QueuedWeight => Volatile.Read(ref _queuedWeight);

    /// <summary>Waiters rented but not yet returned, plus those pooled: bounded by the pool size plus live waits.</summary>
    internal int PooledCount => Volatile.Read(ref _pooled);

    /// <summary>
    /// Waits for <paramref name="cost"/>. Completes synchronously when the queue is empty and the host can
    /// grant at once.
    /// </summary>
    internal ValueTask<bool> EnqueueAsync(in TCost cost, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiter = Enqueue(cost, timeout, cancellationToken, out var immediate, out short version);
        return waiter is null ? immediate : new ValueTask<bool>(waiter, version);
    }

    /// <summary>As <see cref="EnqueueAsync"/> for a wait without timeout, as a non-generic <see cref="ValueTask"/>, still without allocation.</summary>
    internal ValueTask EnqueueUntypedAsync(in TCost cost, CancellationToken cancellationToken)
    {
        var waiter = Enqueue(cost, Timeout.InfiniteTimeSpan, cancellationToken, out var immediate, out short version);
        if (waiter is not null)
        {
            return new ValueTask(waiter, version);
        }

        Debug.Assert(immediate.IsCompleted, "without a timeout an immediate outcome is a grant or a failure");
        return immediate.IsCompletedSuccessfully ? ValueTask.CompletedTask : new ValueTask(immediate.AsTask());
    }

    /// <summary>
    /// Waits for <paramref name="cost"/> by blocking the calling thread: no task, no continuation, and nothing
    /// that needs a thread-pool thread to wake it. The waiter is completed by whoever serves it (the timer, a
    /// refund, a cancellation) setting its event; on system timers, which run on the thread pool, the blocked
    /// thread also wakes itself when the head is due or its deadline passes and does the timer's work, so a
    /// starved pool (every worker blocked here) delays no one.
    /// </summary>
    /// <returns><see langword="true"/> if granted; <see langword="false"/> if the timeout passed first.</returns>
    internal bool Wait(in TCost cost, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var waiter = Enqueue(cost, timeout, cancellationToken, out var immediate, out short version, blocking: true);
        if (waiter is null)
        {
            return immediate.GetAwaiter().GetResult();
        }

        while (!waiter.WaitCompleted(_roundTimerToMilliseconds ? SelfWakeDue(waiter) : Timeout.InfiniteTimeSpan))
        {
            Drain();
            if (TimeProvider.GetTimestamp() >= waiter.DeadlineTimestamp)
            {
                OnTimeout(waiter);
            }
        }

        return waiter.GetResult(version);
    }

    /// <summary>When a blocked waiter should wake to do the timer's work: the head's due time or its own deadline, whichever is first.</summary>
    private TimeSpan SelfWakeDue(Waiter<TCost> waiter)
    {
        TimeSpan due;
        lock (_sync)
        {
            if (!waiter.IsQueued)
            {
                return Timeout.InfiniteTimeSpan; // completed or being completed: its event is (about to be) set
            }

            due = _head is { } head ? _host.TimeUntilGrantable(head.Cost) : TimeSpan.Zero;
        }

        if (waiter.DeadlineTimestamp != long.MaxValue)
        {
            var left = TimeLeft(waiter.DeadlineTimestamp);
            due = due == Timeout.InfiniteTimeSpan || left < due ? left : due;
        }

        return due == Timeout.InfiniteTimeSpan ? due : TimeSpan.FromMilliseconds(Math.Clamp(Math.Ceiling(due.TotalMilliseconds), 1, int.MaxValue - 1));
    }

    private Waiter<TCost>? Enqueue(in TCost cost, TimeSpan timeout, CancellationToken cancellationToken, out ValueTask<bool> immediate, out short version, bool blocking = false)
    {
        version = 0;
        if (cancellationToken.IsCancellationRequested)
        {
            immediate = ValueTask.FromCanceled<bool>(cancellationToken);
            return null;
        }

        Waiter<TCost> waiter;
        bool dueNow = false;
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, _host);
            if (_host.WhyNeverGrantable(cost) is { } never)
            {
                immediate = ValueTask.FromException<bool>(never);
                return null;
            }

            if (_head is null && _host.TryGrantToWaiter(cost))
            {
                immediate = new ValueTask<bool>(true);
                return null;
            }

            if (timeout == TimeSpan.Zero)
            {
                immediate = new ValueTask<bool>(false);
                return null;
            }

            long weight = _weight(cost);
            if (_count >= MaxWaiters)
            {
                immediate = ValueTask.FromException<bool>(new QueueLimitExceededException(
                    $"The wait queue holds {_count} waiters, its limit (MaxQueuedWaiters = {MaxWaiters}); the acquire was refused."));
                return null;
            }

            if (_queuedWeight > MaxQueuedWeight - weight)
            {
                immediate = ValueTask.FromException<bool>(new QueueLimitExceededException(
                    $"The wait queue holds {_queuedWeight} tokens and this acquire asks for {weight} more, over its limit (MaxQueuedTokens = {MaxQueuedWeight}); the acquire was refused."));
                return null;
            }

            waiter = Rent();

            // The cost must be set before the waiter can become the head: ArmForHead reads it.
            waiter.Cost = cost;
            long deadline = timeout == Timeout.InfiniteTimeSpan
                ? long.MaxValue
                : SaturatingAdd(TimeProvider.GetTimestamp(), ToTimestampTicks(timeout));
            Append(waiter, weight);
            if (waiter == _head)
            {
                dueNow = ArmForHead();
            }

            // Registering under the lock is safe: callbacks take the lock, and a token that is already
            // canceled runs its callback inline here, which re-enters the (reentrant) monitor.
            version = waiter.Version;
            waiter.Arm(cost, timeout, deadline, cancellationToken, blocking);
            AssertInvariants();
        }

        if (dueNow)
        {
            // The clock moved past the head's due instant between the grant attempt above and arming the timer
            // (another thread advanced it, or this one was preempted): serve it now rather than wait for a timer.
            Drain();
        }

        immediate = default;
        return waiter;
    }

    /// <summary>Serves every waiter whose cost is there now, in order; re-arms the timer for the next head.</summary>
    internal void Drain() => Drain(scanAll: false);

    /// <summary>
    /// After the host's limits changed: fails every waiter they can never serve (wherever it is in the queue:
    /// it would otherwise hold its place and its queued weight until it reached the head), then drains.
    /// </summary>
    internal void OnLimitsChanged() => Drain(scanAll: true);

    private void Drain(bool scanAll)
    {
        Waiter<TCost>? completeFirst = null;
        Waiter<TCost>? completeLast = null;
        Waiter<TCost>? failFirst = null;
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            if (scanAll)
            {
                for (var waiter = _head; waiter is not null;)
                {
                    var next = waiter.Next;
                    if (_host.WhyNeverGrantable(waiter.Cost) is { } never)
                    {
                        Remove(waiter);
                        waiter.Error = never;
                        waiter.NextToComplete = failFirst;
                        failFirst = waiter;
                    }

                    waiter = next;
                }
            }

            while (_head is { } head)
            {
                if (_host.WhyNeverGrantable(head.Cost) is { } never)
                {
                    // The limits shrank under it: failing it is what unblocks everyone behind it.
                    Remove(head);
                    head.Error = never;
                    head.NextToComplete = failFirst;
                    failFirst = head;
                    continue;
                }

                if (!_host.TryGrantToWaiter(head.Cost))
                {
                    break;
                }

                Remove(head);
                if (completeLast is null)
                {
                    completeFirst = head;
                }
                else
                {
                    completeLast.NextToComplete = head;
                }

                completeLast = head;
            }

            if (_head is not null)
            {
                ArmForHead();
            }

            AssertInvariants();
        }

        CompleteAll(completeFirst, true, null);
        while (failFirst is { } failed)
        {
            failFirst = failed.NextToComplete;
            failed.NextToComplete = null;
            var error = failed.Error!;
            failed.Error = null;
            failed.Complete(false, error);
        }
    }

    /// <summary>The wake timer fired: if it fired before the instant it was armed for, its clock truncates due times, so round them up from now on.</summary>
    private void OnTimer()
    {
        if (!Volatile.Read(ref _roundTimerToMilliseconds))
        {
            lock (_sync)
            {
                if (_armedDueTicks > 0 && TimeProvider.GetTimestamp() - _armedAtTimestamp < _armedDueTicks)
                {
                    _roundTimerToMilliseconds = true;
                }
            }
        }

        Drain();
    }

    internal void OnCanceled(Waiter<TCost> waiter, CancellationToken token)
    {
        if (TryRemoveForCompletion(waiter, checkDeadline: false))
        {
            waiter.Complete(false, new OperationCanceledException(token));
        }
    }

    internal void OnTimeout(Waiter<TCost> waiter)
    {
        if (TryRemoveForCompletion(waiter, checkDeadline: true))
        {
            waiter.Complete(false, null);
        }
    }

    /// <summary>Time left before <paramref name="deadlineTimestamp"/>, rounded up to what the timer can wait.</summary>
    internal TimeSpan TimeLeft(long deadlineTimestamp)
    {
        long ticks = Math.Max(0, deadlineTimestamp - TimeProvider.GetTimestamp());

        // Exact integer conversion rounded up: a timer armed for this never fires before the deadline.
        var spanTicks = ((Int128)ticks * TimeSpan.TicksPerSecond + TimeProvider.TimestampFrequency - 1) / TimeProvider.TimestampFrequency;
        var left = spanTicks < MaxTimerDue.Ticks ? TimeSpan.FromTicks((long)spanTicks) : MaxTimerDue;
        return _roundTimerToMilliseconds ? TimeSpan.FromMilliseconds(Math.Clamp(Math.Ceiling(left.TotalMilliseconds), 1, MaxTimerDue.TotalMilliseconds)) : left;
    }

    /// <summary>
    /// <paramref name="span"/> in this clock's timestamp ticks, exactly and rounded up (a conversion through
    /// <see cref="double"/> can land a tick short, and the wait would give up before its timeout).
    /// </summary>
    private long ToTimestampTicks(TimeSpan span)
    {
        var ticks = ((Int128)span.Ticks * TimeProvider.TimestampFrequency + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        return ticks < long.MaxValue ? (long)ticks : long.MaxValue;
    }

    private static Type SystemTimerType()
    {
        using var timer = TimeProvider.System.CreateTimer(static _ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return timer.GetType();
    }

    private static long SaturatingAdd(long a, long b) => b > long.MaxValue - a ? long.MaxValue : a + b;

    internal void Return(Waiter<TCost> waiter)
    {
        lock (_sync)
        {
            Debug.Assert(!waiter.IsQueued);
            if (!_disposed && _pooled < MaxPooled)
            {
                if (_pooled == _pool.Length)
                {
                    Array.Resize(ref _pool, Math.Min(MaxPooled, Math.Max(4, _pool.Length * 2)));
                }

                _pool[_pooled++] = waiter;
                return;
            }
        }

        waiter.DisposeTimer();
    }

    /// <summary>Completes every waiter queued now with <paramref name="error"/> (the limiter can never serve them).</summary>
    internal void FailAll(Exception error)
    {
        Waiter<TCost>? first = null;
        lock (_sync)
        {
            Waiter<TCost>? last = null;
            while (_head is { } head)
            {
                Remove(head);
                if (last is null)
                {
                    first = head;
                }
                else
                {
                    last.NextToComplete = head;
                }

                last = head;
            }

            AssertInvariants();
        }

        CompleteAll(first, false, error);
    }

    /// <summary>Completes every waiter with <see cref="ObjectDisposedException"/>; later enqueues throw it.</summary>
    public void Dispose()
    {
        Waiter<TCost>? first = null;
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Waiter<TCost>? last = null;
            while (_head is { } head)
            {
                Remove(head);
                if (last is null)
                {
                    first = head;
                }
                else
                {
                    last.NextToComplete = head;
                }

                last = head;
            }

            for (int i = 0; i < _pooled; i++)
            {
                _pool[i]!.DisposeTimer();
                _pool[i] = null;
            }

            _pooled = 0;
            AssertInvariants();
        }

        _timer.Dispose();
        CompleteAll(first, false, new ObjectDisposedException(_host.GetType().Name, "The limiter was disposed while this acquire was waiting."));
    }

    private bool TryRemoveForCompletion(Waiter<TCost> waiter, bool checkDeadline)
    {
        bool wasHead;
        lock (_sync)
        {
            if (!waiter.IsQueued)
            {
                return false;
            }

            if (checkDeadline && TimeProvider.GetTimestamp() < waiter.DeadlineTimestamp)
            {
                // A stale timer from an earlier use of this pooled waiter, or a timer that fired early
                // (the system timer truncates to milliseconds): wait for the rest.
                waiter.RearmTimeout(TimeLeft(waiter.DeadlineTimestamp));
                return false;
            }

            wasHead = waiter == _head;
            Remove(waiter);
            AssertInvariants();
        }

        if (wasHead)
        {
            // The next waiter may be servable now that the head no longer blocks it.
            Drain();
        }

        return true;
    }

    private static void CompleteAll(Waiter<TCost>? first, bool result, Exception? error)
    {
        while (first is { } waiter)
        {
            first = waiter.NextToComplete;
            waiter.NextToComplete = null;
            waiter.Complete(result, error);
        }
    }

    private Waiter<TCost> Rent()
    {
        Debug.Assert(Monitor.IsEntered(_sync));
        if (_pooled > 0)
        {
            var waiter = _pool[--_pooled]!;
            _pool[_pooled] = null;
            return waiter;
        }

        return new Waiter<TCost>(this);
    }

    private void Append(Waiter<TCost> waiter, long weight)
    {
        Debug.Assert(Monitor.IsEntered(_sync) && !waiter.IsQueued);
        waiter.IsQueued = true;
        waiter.Previous = _tail;
        waiter.Next = null;
        if (_tail is null)
        {
            _head = waiter;
        }
        else
        {
            _tail.Next = waiter;
        }

        _tail = waiter;
        Volatile.Write(ref _queuedWeight, _queuedWeight + weight);
        Volatile.Write(ref _count, _count + 1);
        if (_count == 1)
        {
            _host.OnWaitersChanged(true);
        }
    }

    private void Remove(Waiter<TCost> waiter)
    {
        Debug.Assert(Monitor.IsEntered(_sync) && waiter.IsQueued);
        if (waiter.Previous is null)
        {
            _head = waiter.Next;
        }
        else
        {
            waiter.Previous.Next = waiter.Next;
        }

        if (waiter.Next is null)
        {
            _tail = waiter.Previous;
        }
        else
        {
            waiter.Next.Previous = waiter.Previous;
        }

        waiter.Previous = waiter.Next = null;
        waiter.IsQueued = false;
        Volatile.Write(ref _queuedWeight, _queuedWeight - _weight(waiter.Cost));
        Volatile.Write(ref _count, _count - 1);
        if (_count == 0 && !_disposed)
        {
            _host.OnWaitersChanged(false);
            _armedDueTicks = 0;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// The queue's invariants: a well-formed doubly linked list whose length and total weight are
    /// <see cref="_count"/> and <see cref="_queuedWeight"/>, every member marked queued and none past the limits
    /// it was admitted under; nothing queued once disposed. Walks the whole list only while it is short, so that
    /// stress tests with thousands of waiters stay linear.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(_sync));
        Debug.Assert((_head is null) == (_tail is null) && (_head is null) == (_count == 0), "head, tail and count agree on emptiness");
        Debug.Assert(_head?.Previous is null && _tail?.Next is null, "the ends have no outer links");
        Debug.Assert(_count >= 0 && _queuedWeight >= 0 && _count <= MaxWaiters, "count and weight in range");
        Debug.Assert(!_disposed || _count == 0, "a disposed queue holds no waiters");
        if (_count > 1024)
        {
            return;
        }

        int count = 0;
        long weight = 0;
        Waiter<TCost>? previous = null;
        for (var waiter = _head; waiter is not null; waiter = waiter.Next)
        {
            Debug.Assert(waiter.IsQueued && waiter.Previous == previous, "every member is queued and back-linked");
            count++;
            weight += _weight(waiter.Cost);
            previous = waiter;
        }

        Debug.Assert(previous == _tail && count == _count && weight == _queuedWeight, "the list's length and weight are the counters");
    }

    /// <returns>Whether the head is grantable now (armed for the shortest due as a fallback).</returns>
    private bool ArmForHead()
    {
        Debug.Assert(Monitor.IsEntered(_sync) && _head is not null);
        var due = _host.TimeUntilGrantable(_head.Cost);
        if (due == Timeout.InfiniteTimeSpan)
        {
            // The host wakes the queue itself when the head can go (a concurrency slot is released).
            _armedDueTicks = 0;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return false;
        }

        if (_roundTimerToMilliseconds)
        {
            due = TimeSpan.FromMilliseconds(Math.Ceiling(due.TotalMilliseconds));
        }

        bool dueNow = due <= TimeSpan.Zero;
        if (dueNow)
        {
            // Tokens are there now but the grant lost a race with a CAS elsewhere: try again promptly
            // on the timer thread rather than recursing under the lock.
            due = _roundTimerToMilliseconds ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromTicks(1);
        }

        // Timers take at most ~49 days; a longer wait is re-armed when this one fires.
        due = due < MaxTimerDue ? due : MaxTimerDue;
        _armedAtTimestamp = TimeProvider.GetTimestamp();
        _armedDueTicks = ToTimestampTicks(due);
        _timer.Change(due, Timeout.InfiniteTimeSpan);
        return dueNow;
    }
}
