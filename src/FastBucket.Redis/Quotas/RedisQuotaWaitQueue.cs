using FastBucket.Quotas;

namespace FastBucket.Redis;

/// <summary>
/// The FIFO queue of one <see cref="RedisQuota"/>'s waiters in this process: one loop asks Redis for the head, and
/// sleeps on the injected clock for the wait Redis returned (never polling, never less than a millisecond), or until
/// a reservation of this process ends.
/// </summary>
internal sealed class RedisQuotaWaitQueue
{
    private readonly Func<RequestCost, ValueTask<RedisQuotaAttempt>> _attempt;
    private readonly TimeProvider _time;
    private readonly int _maxQueued;
    private readonly string _name;
    private readonly LinkedList<RedisQuotaWaiter> _waiters = new();
    private readonly object _gate = new();
    private readonly CancellationTokenSource _disposing = new();
    private TaskCompletionSource? _wake;
    private bool _wakeRequested;
    private bool _pumping;
    private bool _disposed;

    internal RedisQuotaWaitQueue(Func<RequestCost, ValueTask<RedisQuotaAttempt>> attempt, TimeProvider time, int maxQueued, string name)
    {
        _attempt = attempt;
        _time = time;
        _maxQueued = maxQueued;
        _name = name;
    }

    /// <summary>Waiters now.</summary>
    internal int Count
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Whether nobody waits and the loop is not running: a new caller may try first.</summary>
    internal bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count == 0 && !_pumping;
            }
        }
    }

    /// <summary>Whether the loop is asleep on its timer (tests advance a fake clock only then).</summary>
    internal bool IsSleeping
    {
        get
        {
            lock (_gate)
            {
                return _wake is not null;
            }
        }
    }

    /// <summary>Queues <paramref name="cost"/> and waits for its reservation.</summary>
    /// <exception cref="QueueLimitExceededException">Too many wait already.</exception>
    internal async Task<QuotaReservation> WaitAsync(RequestCost cost, CancellationToken cancellationToken)
    {
        var waiter = new RedisQuotaWaiter(cost);
        bool startPump;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_waiters.Count >= _maxQueued)
            {
                throw new QueueLimitExceededException($"{_waiters.Count} requests already wait for the {_name} quota, the most allowed.");
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
                    var (queue, canceled) = ((RedisQuotaWaitQueue, RedisQuotaWaiter))state!;
                    queue.Remove(canceled);
                    canceled.TrySetCanceled(token);
                    queue.Wake();
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

    /// <summary>Something changed here (a release, a signal): the loop asks again now.</summary>
    internal void Wake()
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

    /// <summary>Completes every waiter with <paramref name="error"/>.</summary>
    internal void FailAll(Exception error)
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

    /// <summary>Stops the loop and fails every waiter with <see cref="ObjectDisposedException"/>.</summary>
    internal void Dispose(string owner)
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _disposing.Cancel();
        FailAll(new ObjectDisposedException(owner));
        Wake();
    }

    /// <summary>How long the loop sleeps for a wait Redis returned: whole milliseconds, rounded up, so a sub-millisecond wait never becomes a zero-length delay that spins.</summary>
    internal static TimeSpan SleepFor(TimeSpan wait) =>
        wait == Timeout.InfiniteTimeSpan ? TimeSpan.FromSeconds(1) // our own slots are all taken: look again now and then, a lease may have expired
        : wait > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1)
        : TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(wait.TotalMilliseconds)));

    private async Task PumpAsync()
    {
        while (true)
        {
            RedisQuotaWaiter head;
            lock (_gate)
            {
                if (_waiters.First is not { } first || _disposed)
                {
                    _pumping = false;
                    return;
                }

                head = first.Value;
            }

            RedisQuotaAttempt attempt;
            try
            {
                attempt = await _attempt(head.Cost).ConfigureAwait(false);
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

            await SleepAsync(SleepFor(attempt.Wait)).ConfigureAwait(false);
        }
    }

    private async Task SleepAsync(TimeSpan delay)
    {
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
}
