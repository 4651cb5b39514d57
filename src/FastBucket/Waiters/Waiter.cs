using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace FastBucket.Waiters;

/// <summary>
/// One queued async acquire: a pooled, resettable <see cref="IValueTaskSource{TResult}"/>. Its result is
/// <see langword="true"/> when granted, <see langword="false"/> when its timeout passed, or an exception
/// (canceled, disposed).
/// </summary>
/// <remarks>
/// Lifetime: rented from the queue's pool, queued, removed from the queue exactly once under the queue's
/// lock by whoever completes it (grant, cancel, timeout or dispose), completed outside the lock, and
/// returned to the pool by <see cref="GetResult(short)"/>. A stale <see cref="ValueTask"/> that awaits it
/// after reuse carries an old version and throws instead of seeing another waiter's result.
/// </remarks>
internal sealed class Waiter<TCost> : IValueTaskSource, IValueTaskSource<bool>
{
    private static readonly Action<object?, CancellationToken> s_onCanceled =
        static (state, token) => ((Waiter<TCost>)state!).Owner.OnCanceled((Waiter<TCost>)state!, token);

    private static readonly TimerCallback s_onTimeout = static state => ((Waiter<TCost>)state!).Owner.OnTimeout((Waiter<TCost>)state!);

    private ManualResetValueTaskSourceCore<bool> _core;
    private CancellationTokenRegistration _registration;
    private ITimer? _timer;

    // For a blocking wait: set once the core holds the outcome. Created on first use and kept with the pooled waiter.
    private ManualResetEventSlim? _completed;
    private bool _blocking;

    internal Waiter(WaiterQueue<TCost> owner)
    {
        Owner = owner;

        // Continuations never run inline in the queue's work: the thread completing a batch of waiters must
        // not run one waiter's continuation before it has woken the next.
        _core.RunContinuationsAsynchronously = true;
    }

    internal WaiterQueue<TCost> Owner { get; }

    internal TCost Cost = default!;

    /// <summary>Timestamp after which a timed wait gives up; <see cref="long.MaxValue"/> for none.</summary>
    internal long DeadlineTimestamp;

    // Intrusive doubly linked list, guarded by the owner's lock.
    internal Waiter<TCost>? Previous;
    internal Waiter<TCost>? Next;
    internal bool IsQueued;

    // Singly linked list of waiters to complete once the lock is released, and the error to complete one with.
    internal Waiter<TCost>? NextToComplete;
    internal Exception? Error;

    internal short Version => _core.Version;

    internal void Arm(in TCost cost, TimeSpan timeout, long deadlineTimestamp, CancellationToken cancellationToken, bool blocking)
    {
        Cost = cost;
        _blocking = blocking;
        if (blocking)
        {
            _completed ??= new ManualResetEventSlim(false);
        }

        DeadlineTimestamp = deadlineTimestamp;
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            _timer ??= Owner.TimeProvider.CreateTimer(s_onTimeout, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(Owner.TimeLeft(deadlineTimestamp), Timeout.InfiniteTimeSpan);
        }

        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(s_onCanceled, this);
        }
    }

    /// <summary>Completes the waiter. Called once, outside the queue's lock, by whoever dequeued it.</summary>
    internal void Complete(bool result, Exception? error)
    {
        Debug.Assert(!IsQueued);

        // Unregister/stop without blocking: a callback already running finds the waiter no longer queued
        // and does nothing; GetResult waits for it before the waiter can be reused.
        _registration.Unregister();
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (error is null)
        {
            _core.SetResult(result);
        }
        else
        {
            _core.SetException(error);
        }

        // A blocking waiter registered no continuation; its thread waits on the event, set after the outcome.
        if (_blocking)
        {
            _completed!.Set();
        }
    }

    /// <summary>Blocks until a blocking waiter is completed or <paramref name="timeout"/> passes.</summary>
    internal bool WaitCompleted(TimeSpan timeout)
    {
        Debug.Assert(_blocking);
        return _completed!.Wait(timeout);
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    public bool GetResult(short token)
    {
        if (token != _core.Version)
        {
            throw new InvalidOperationException("This ValueTask was already awaited; a ValueTask from an async acquire may be awaited only once.");
        }

        if (_core.GetStatus(token) == ValueTaskSourceStatus.Pending)
        {
            // Blocking on a pending ValueTask is not supported; the reset below would pool a queued waiter.
            throw new InvalidOperationException("This async acquire has not completed; await it (or use AsTask()) instead of reading its result synchronously.");
        }

        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            // Waits for a cancellation callback that is still running, so the waiter is never reused under it.
            _registration.Dispose();
            _registration = default;
            Cost = default!;
            if (_blocking)
            {
                _completed!.Reset();
                _blocking = false;
            }

            _core.Reset();
            Owner.Return(this);
        }
    }

    void IValueTaskSource.GetResult(short token) => GetResult(token);

    internal void RearmTimeout(TimeSpan left) => _timer?.Change(left, Timeout.InfiniteTimeSpan);

    internal void DisposeTimer()
    {
        _timer?.Dispose();
        _completed?.Dispose();
    }
}
