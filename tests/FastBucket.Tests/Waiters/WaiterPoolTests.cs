using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.Waiters;

/// <summary>The pooled waiters behind async acquires: a ValueTask is good for one await, and misuse never leaks another wait's result.</summary>
public sealed class WaiterPoolTests
{
    [Fact]
    public async Task AwaitingAStaleValueTask_AfterItsWaiterWasReused_ThrowsAndNeverSeesTheNewResult()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(10, 1000, clock, initialTokens: 0);
        var first = bucket.AcquireAsync(1);
        clock.Advance(bucket.TimeUntil(1));
        await first; // completes and returns the waiter to the pool

        var second = bucket.AcquireAsync(2); // rents the same waiter
        Assert.False(second.IsCompleted);

        Assert.Throws<InvalidOperationException>(() => first.IsCompleted);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await first);
        clock.Advance(bucket.TimeUntil(2));
        Assert.True(second.IsCompletedSuccessfully);
#pragma warning disable xUnit1031 // The point: a stale ValueTask read synchronously after its source completed again.
        Assert.Throws<InvalidOperationException>(() => first.GetAwaiter().GetResult());
#pragma warning restore xUnit1031
        await second;
        Assert.Equal(0, bucket.QueuedCount);
    }

    [Fact]
    public async Task AwaitingAStaleTimedValueTask_AfterReuse_ThrowsAndNeverReturnsTheOtherWaitersResult()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(10, 1000, clock, initialTokens: 0);
        var timedOut = bucket.AcquireAsync(5, TimeSpan.FromMilliseconds(1));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(await timedOut);

        var granted = bucket.AcquireAsync(1, TimeSpan.FromSeconds(1));
        clock.Advance(bucket.TimeUntil(1));
        Assert.True(granted.IsCompletedSuccessfully);

#pragma warning disable xUnit1031 // The point: the stale ValueTask must not report the reused waiter's "true".
        Assert.Throws<InvalidOperationException>(() => timedOut.Result);
#pragma warning restore xUnit1031
        Assert.True(await granted);
    }

    [Fact]
    public async Task GetResult_BeforeCompletion_ThrowsAndLeavesTheWaitQueuedAndAwaitable()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(10, 1000, clock, initialTokens: 0);
        var wait = bucket.AcquireAsync(5);

#pragma warning disable xUnit1031 // The point: sync-over-async misuse on a pending wait.
        Assert.Throws<InvalidOperationException>(() => wait.GetAwaiter().GetResult());
#pragma warning restore xUnit1031

        // The waiter is still queued: it must not have gone back to the pool for the next acquire to rent.
        var next = bucket.AcquireAsync(1);
        Assert.Equal(2, bucket.QueuedCount);
        Assert.Equal(6, bucket.QueuedTokens);
        clock.Advance(bucket.TimeUntil(5));
        Assert.True(wait.IsCompletedSuccessfully);
        Assert.False(next.IsCompleted);
        await wait;
        clock.Advance(bucket.TimeUntil(1));
        await next;
        Assert.Equal(0, bucket.QueuedCount);
    }
}
