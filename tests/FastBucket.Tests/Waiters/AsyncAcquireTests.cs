using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.Waiters;

/// <summary>Waiting acquires: FIFO, no barging, no starvation, limits and cancellation.</summary>
public sealed class AsyncAcquireTests
{
    [Fact]
    public async Task AcquireAsync_TokensThere_CompletesSynchronously()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(10, 1, clock);

        var wait = bucket.AcquireAsync(4);
        var timed = bucket.AcquireAsync(6, TimeSpan.FromSeconds(1));

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.True(timed.IsCompletedSuccessfully);
        Assert.True(await timed);
        await wait;
        Assert.Equal(0, bucket.Available);
    }

    [Fact]
    public async Task TryAcquire_WhileAWaiterIsQueued_RefusesRatherThanBargingAndReportsTheWaitBehindTheQueue()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(10, 1000, clock, initialTokens: 0);
        var head = bucket.AcquireAsync(8);
        clock.Advance(TimeSpan.FromMilliseconds(5)); // 5 tokens there, the head needs 8

        Assert.Equal(5, bucket.Available);
        Assert.False(bucket.TryAcquire(1));
        Assert.False(bucket.TryAcquire(1, out var retryAfter));
        Assert.Equal(bucket.TimeUntil(9), retryAfter); // 1 token behind the 8 queued
        Assert.False(head.IsCompleted);

        clock.Advance(bucket.TimeUntil(8));
        await head;
        Assert.True(bucket.TryAcquire(0 + 1) == (bucket.Available >= 1));
    }

    [Fact]
    public async Task AcquireAsync_LargeRequestAmongAStreamOfSmallOnes_IsServedWhenItsTokensAreThere()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(10, 1000, clock, initialTokens: 0);
        var large = bucket.AcquireAsync(10);
        var expected = bucket.TimeUntil(10);
        var small = new List<Task>();
        var elapsed = TimeSpan.Zero;

        // Small requests keep arriving, one per 0.5 ms: each would fit long before the large one does.
        while (!large.IsCompleted)
        {
            Assert.False(bucket.TryAcquire(1));
            small.Add(bucket.AcquireAsync(1).AsTask());
            clock.Advance(TimeSpan.FromTicks(5_000));
            elapsed += TimeSpan.FromTicks(5_000);
            Assert.True(elapsed <= expected + TimeSpan.FromTicks(5_000), "the large request was starved");
            Assert.All(small, t => Assert.False(t.IsCompleted));
        }

        await large;
        Assert.True(elapsed >= expected);
        // The capacity is 10, so the small waiters drain at the refill rate, not in one step.
        var all = Task.WhenAll(small);
        for (var step = 0; step < 1_000 && !all.IsCompleted; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        await all;
    }

    [Fact]
    public async Task AcquireAsync_HeadServed_TheNextWaitersAreServedAtOnceWhileThereIsRoom()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(10, 1000, clock, initialTokens: 0);
        var a = bucket.AcquireAsync(3);
        var b = bucket.AcquireAsync(2);
        var c = bucket.AcquireAsync(4);

        bucket.Refund(1); // nothing to refund: the level is 0 and stays 0
        Assert.False(a.IsCompleted);
        clock.Advance(bucket.TimeUntil(5)); // room for a and b, not for c

        Assert.True(a.IsCompletedSuccessfully);
        Assert.True(b.IsCompletedSuccessfully);
        Assert.False(c.IsCompleted);
        bucket.SetAvailable(4); // a level change wakes the queue too
        Assert.True(c.IsCompletedSuccessfully);
        await a;
        await b;
        await c;
        Assert.Equal(0, bucket.QueuedCount);
    }

    [Fact]
    public async Task AcquireAsync_HeadCanceled_TheNextWaiterIsServedAtOnceIfItsTokensAreThere()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(10, 1000, clock, initialTokens: 0);
        using var cts = new CancellationTokenSource();
        var head = bucket.AcquireAsync(9, cts.Token);
        var next = bucket.AcquireAsync(2);
        clock.Advance(TimeSpan.FromMilliseconds(3));
        Assert.False(next.IsCompleted);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await head);
        Assert.True(next.IsCompletedSuccessfully);
        await next;
        Assert.Equal(1, bucket.Available); // 3 refilled, 2 granted, nothing kept by the canceled head
    }

    [Fact]
    public async Task AcquireAsync_Canceled_ThrowsOperationCanceledWithTheCallersTokenAndKeepsNothing()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(10, 1000, clock, initialTokens: 0);
        using var cts = new CancellationTokenSource();
        var wait = bucket.AcquireAsync(5, cts.Token);
        clock.Advance(TimeSpan.FromMilliseconds(4));

        await cts.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.Equal(4, bucket.Available);
        Assert.Equal(0, bucket.QueuedCount);
        Assert.True(bucket.TryAcquire(4)); // the waiters flag is cleared
    }

    [Fact]
    public async Task AcquireAsync_AlreadyCanceledToken_IsCanceledWithoutQueueing()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(10, 1000, clock, initialTokens: 0);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var wait = bucket.AcquireAsync(5, cts.Token);

        Assert.True(wait.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);
        Assert.Equal(0, bucket.QueuedCount);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MaxValue)]
    public void AcquireAsync_CountOutsideOneToCapacity_ThrowsAtOnceNamingTheRange(long tokens)
    {
        using var bucket = new TokenBucket(10, 1000, new FakeTimeProvider(), initialTokens: 0);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => bucket.AcquireAsync(tokens));
        Assert.Throws<ArgumentOutOfRangeException>(() => bucket.AcquireAsync(tokens, TimeSpan.FromSeconds(1)));

        Assert.Equal("tokens", error.ParamName);
        Assert.Contains("10", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, bucket.QueuedCount);
    }

    [Fact]
    public async Task AcquireAsync_QueueAtItsWaiterLimit_RefusesAtOnceWithQueueLimitExceeded()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(new TokenBucketOptions
        {
            Capacity = 10, TokensPerPeriod = 1000, InitialTokens = 0, TimeProvider = clock, MaxQueuedWaiters = 2,
        });
        var first = bucket.AcquireAsync(1);
        var second = bucket.AcquireAsync(1, TimeSpan.FromSeconds(1));

        var third = bucket.AcquireAsync(1);
        var timedThird = bucket.AcquireAsync(1, TimeSpan.FromSeconds(1));

        Assert.True(third.IsFaulted);
        Assert.True(timedThird.IsFaulted);
        var error = await Assert.ThrowsAsync<QueueLimitExceededException>(async () => await third);
        Assert.Contains("MaxQueuedWaiters = 2", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<QueueLimitExceededException>(async () => await timedThird);
        Assert.Equal(2, bucket.QueuedCount);
        clock.Advance(TimeSpan.FromMilliseconds(2));
        await first;
        Assert.True(await second);
    }

    [Fact]
    public async Task AcquireAsync_QueueAtItsTokenLimit_RefusesWhatWouldExceedItAndAcceptsWhatFits()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(new TokenBucketOptions
        {
            Capacity = 10, TokensPerPeriod = 1000, InitialTokens = 0, TimeProvider = clock, MaxQueuedTokens = 5,
        });
        var three = bucket.AcquireAsync(3);

        var overflow = bucket.AcquireAsync(3);
        var fits = bucket.AcquireAsync(2);

        var error = await Assert.ThrowsAsync<QueueLimitExceededException>(async () => await overflow);
        Assert.Contains("MaxQueuedTokens = 5", error.Message, StringComparison.Ordinal);
        Assert.False(fits.IsCompleted);
        Assert.Equal(5, bucket.QueuedTokens);
        clock.Advance(TimeSpan.FromMilliseconds(5));
        await three;
        await fits;
    }

    [Fact]
    public async Task AcquireAsync_MaxQueuedWaitersZero_NeverWaits()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(new TokenBucketOptions { Capacity = 2, TokensPerPeriod = 1, TimeProvider = clock, MaxQueuedWaiters = 0 });

        await bucket.AcquireAsync(2); // the tokens are there: granted at once, no queue needed
        var refused = bucket.AcquireAsync(1);

        Assert.True(refused.IsFaulted);
        await Assert.ThrowsAsync<QueueLimitExceededException>(async () => await refused);
        Assert.Equal(0, bucket.QueuedCount);
    }

    [Theory]
    [InlineData(-1, 0, "options.MaxQueuedWaiters")]
    [InlineData(0, -1, "options.MaxQueuedTokens")]
    public void Constructor_NegativeQueueLimit_ThrowsNamingTheOption(int waiters, long tokens, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucket(new TokenBucketOptions
        {
            Capacity = 1,
            TokensPerPeriod = 1,
            MaxQueuedWaiters = waiters,
            MaxQueuedTokens = tokens,
        }));
        Assert.Equal(name, error.ParamName);
        Assert.Contains("never wait", error.Message, StringComparison.Ordinal);
    }
}
