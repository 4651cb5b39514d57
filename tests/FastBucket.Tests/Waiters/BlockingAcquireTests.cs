using FastBucket.Tests.Clocks;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.Waiters;

/// <summary>
/// The blocking <see cref="TokenBucket.Acquire(long, TimeSpan, CancellationToken)"/>: each wait runs on a dedicated
/// thread (never the pool) and the test drives the fake clock once the waiter is queued; the real-time bounds are
/// only there to fail a hung test, never to judge timing.
/// </summary>
public sealed class BlockingAcquireTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Acquire_TokensThere_TakesThemWithoutWaiting()
    {
        var bucket = new TokenBucket(5, 1, _time);

        Assert.True(bucket.Acquire(3, TimeSpan.Zero));
        bucket.Acquire(2);

        Assert.Equal(0, bucket.Available);
        Assert.False(bucket.Acquire(1, TimeSpan.Zero));
    }

    [Fact]
    public void Acquire_TokensMissing_BlocksUntilRefillAndTakesThem()
    {
        var bucket = new TokenBucket(2, 1, _time, initialTokens: 0);
        var waiter = Blocked(() => bucket.Acquire(2, Timeout.InfiniteTimeSpan));
        WaitUntilQueued(bucket, 1);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, bucket.QueuedCount); // one token of two: still blocked

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(waiter.Result());
        Assert.Equal(0, bucket.Available);
    }

    [Fact]
    public void Acquire_TimeoutPassesFirst_ReturnsFalseAndTakesNothing()
    {
        var bucket = new TokenBucket(10, 1, _time, initialTokens: 0);
        var waiter = Blocked(() => bucket.Acquire(5, TimeSpan.FromSeconds(2)));
        WaitUntilQueued(bucket, 1);

        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.False(waiter.Result());
        Assert.Equal(0, bucket.QueuedCount);
        Assert.Equal(2, bucket.Available);
    }

    [Fact]
    public void Acquire_Canceled_ThrowsWithTheTokenAndTakesNothing()
    {
        var bucket = new TokenBucket(10, 1, _time, initialTokens: 0);
        using var cts = new CancellationTokenSource();
        var waiter = Blocked(() => bucket.Acquire(5, Timeout.InfiniteTimeSpan, cts.Token));
        WaitUntilQueued(bucket, 1);

        cts.Cancel();

        var ex = Assert.IsAssignableFrom<OperationCanceledException>(waiter.Error());
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Equal(0, bucket.QueuedCount);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(5, bucket.Available);
    }

    [Fact]
    public void Acquire_AlreadyCanceledAndTokensMissing_ThrowsOperationCanceled()
    {
        var bucket = new TokenBucket(10, 1, _time, initialTokens: 0);
        var ex = Assert.Throws<OperationCanceledException>(() => bucket.Acquire(1, new CancellationToken(canceled: true)));
        Assert.True(ex.CancellationToken.IsCancellationRequested);
    }

    [Fact]
    public async Task Acquire_QueuedBehindAsyncWaiter_IsServedInFifoOrder()
    {
        var bucket = new TokenBucket(10, 1, _time, initialTokens: 0);
        var first = bucket.AcquireAsync(3).AsTask();
        var second = Blocked(() => bucket.Acquire(2, Timeout.InfiniteTimeSpan));
        WaitUntilQueued(bucket, 2);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(first.IsCompleted);
        Assert.Equal(2, bucket.QueuedCount); // the blocking waiter does not overtake

        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(second.Result());
        await first.WaitAsync(Generous);
    }

    [Fact]
    public void Acquire_DisposedWhileBlocked_ThrowsObjectDisposed()
    {
        var bucket = new TokenBucket(10, 1, _time, initialTokens: 0);
        var waiter = Blocked(() => bucket.Acquire(5, Timeout.InfiniteTimeSpan));
        WaitUntilQueued(bucket, 1);

        bucket.Dispose();

        Assert.IsType<ObjectDisposedException>(waiter.Error());
    }

    [Fact]
    public void Acquire_ManyBlockedWaiters_ReuseTheirPooledWaiters()
    {
        var bucket = new TokenBucket(1, 1, _time, initialTokens: 0);
        for (int i = 0; i < 20; i++)
        {
            var waiter = Blocked(() => bucket.Acquire(1, Timeout.InfiniteTimeSpan));
            WaitUntilQueued(bucket, 1);
            _time.Advance(TimeSpan.FromSeconds(1));

            // The waiter's thread may arm its timer after the advance above (it read the clock before it), for as
            // much as a second later; a real clock gets there by itself, a fake one must be advanced. In 50 ms steps:
            // 1 ms steps needed a thousand turns of this loop, more than a loaded machine gave it in a minute.
            var deadline = DateTime.UtcNow + Generous;
            while (!waiter.Finished(TimeSpan.FromMilliseconds(10)) && DateTime.UtcNow < deadline)
            {
                _time.Advance(TimeSpan.FromMilliseconds(50));
            }

            Assert.True(waiter.Result());
        }

        Assert.True(bucket.PooledWaiters <= 1, $"{bucket.PooledWaiters} waiters pooled after 20 sequential waits");
    }

    [Fact]
    public void Acquire_SystemTimersThatNeverRun_WakesItselfAtTheDueInstant()
    {
        // The timers are the system's, but their callbacks never reach the bucket: as when every thread-pool
        // thread is blocked (timer callbacks run on the pool). The blocked thread must still be served.
        var bucket = new TokenBucket(1, 50, new StarvedTimerProvider(), initialTokens: 0);

        var waiter = Blocked(() => bucket.Acquire(1, Timeout.InfiniteTimeSpan));

        Assert.True(waiter.Result());
    }

    [Fact]
    public void Acquire_SystemTimersThatNeverRunAndTokensThatNeverCome_TimesOutByItself()
    {
        var bucket = new TokenBucket(1, 1.0 / 86_400, new StarvedTimerProvider(), initialTokens: 0);

        var waiter = Blocked(() => bucket.Acquire(1, TimeSpan.FromMilliseconds(20)));

        Assert.False(waiter.Result());
        Assert.Equal(0, bucket.QueuedCount);
    }

    private static void WaitUntilQueued(TokenBucket bucket, int count)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (bucket.QueuedCount < count)
        {
            Assert.True(DateTime.UtcNow < deadline, "the waiter never queued");
            Thread.Sleep(1);
        }
    }

    private static BlockedCall Blocked(Func<bool> call) => new(call);

    /// <summary>A call running on its own thread (not the pool, so nothing here depends on the pool's size).</summary>
    private sealed class BlockedCall
    {
        private readonly Thread _thread;
        private bool _result;
        private Exception? _error;

        public BlockedCall(Func<bool> call)
        {
            _thread = new Thread(() =>
            {
                try
                {
                    _result = call();
                }
                catch (Exception e)
                {
                    _error = e;
                }
            })
            { IsBackground = true };
            _thread.Start();
        }

        public bool Finished(TimeSpan wait) => _thread.Join(wait);

        public bool Result()
        {
            Assert.True(_thread.Join(Generous), "the blocked call never returned");
            Assert.Null(_error);
            return _result;
        }

        public Exception Error()
        {
            Assert.True(_thread.Join(Generous), "the blocked call never returned");
            return Assert.IsAssignableFrom<Exception>(_error);
        }
    }

    /// <summary>The system clock with the system's timers, whose callbacks are dropped.</summary>
    private sealed class StarvedTimerProvider : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            System.CreateTimer(static _ => { }, null, dueTime, period);
    }
}
