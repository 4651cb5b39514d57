using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.Waiters;

/// <summary>Dispose against waiting acquires: every waiter completes, none hangs.</summary>
public sealed class AsyncAcquireDisposeTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Dispose_WithWaiters_CompletesEveryWaiterWithObjectDisposedException()
    {
        var clock = new FakeTimeProvider();
        var bucket = new TokenBucket(10, 1000, clock, initialTokens: 0);
        using var cts = new CancellationTokenSource();
        var plain = bucket.AcquireAsync(3).AsTask();
        var cancelable = bucket.AcquireAsync(2, cts.Token).AsTask();
        var timed = bucket.AcquireAsync(1, TimeSpan.FromHours(1)).AsTask();

        bucket.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => plain.WaitAsync(NoHang));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => cancelable.WaitAsync(NoHang));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => timed.WaitAsync(NoHang));
        await cts.CancelAsync(); // a late cancel finds nothing to do
        clock.Advance(TimeSpan.FromHours(2)); // nor do late timers
        Assert.Throws<ObjectDisposedException>(() => bucket.TryAcquire());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await bucket.AcquireAsync(1));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await bucket.AcquireAsync(1, TimeSpan.FromSeconds(1)));
        bucket.Dispose(); // idempotent
    }

    [Fact]
    public async Task Dispose_RacingACancellationThatUnblocksTheNextWaiter_CompletesBothWaiters()
    {
        // Forces the interleaving: Dispose runs on another thread while this thread holds the queue's lock
        // (inside the timer arm of a second waiter's timeout) and then cancels the head. The head's
        // removal makes the queue try to serve the next waiter, which calls into the bucket.
        var clock = new RecordingTimeProvider();
        var bucket = new TokenBucket(10, 1000, clock, initialTokens: 0);
        using var cts = new CancellationTokenSource();
        var head = bucket.AcquireAsync(5, cts.Token).AsTask();
        Task? dispose = null;
        Exception? cancelError = null;
        clock.OnTimerChange = () =>
        {
            clock.OnTimerChange = null;
            dispose = Task.Factory.StartNew(bucket.Dispose, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            // Give Dispose the chance to get as far as it can without the queue's lock.
            SpinWait.SpinUntil(() => IsRetired(bucket), TimeSpan.FromMilliseconds(500));
            try
            {
                cts.Cancel();
            }
            catch (AggregateException e)
            {
                cancelError = e;
            }
        };

        var next = bucket.AcquireAsync(1, TimeSpan.FromHours(1)).AsTask();

        Assert.Null(cancelError);
        Assert.NotNull(dispose);
        await dispose.WaitAsync(NoHang);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => head.WaitAsync(NoHang));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => next.WaitAsync(NoHang));
    }

    private static bool IsRetired(TokenBucket bucket)
    {
        try
        {
            _ = bucket.Available;
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }
}
