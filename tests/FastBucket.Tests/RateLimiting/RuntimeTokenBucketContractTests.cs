using System.Threading.RateLimiting;
using FastBucket.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.RateLimiting;

/// <summary>
/// The cases of dotnet/runtime's TokenBucketRateLimiterTests (src/libraries/System.Threading.RateLimiting/tests)
/// that concern the observable contract, ported to <see cref="FastBucketRateLimiter"/>. The runtime's limiter
/// refills by period (<c>TryReplenish</c>); this one refills continuously, so "replenish one period" is "advance the
/// fake clock by one token's time" (1 token per second here). QueueLimit maps to
/// <see cref="TokenBucketOptions.MaxQueuedTokens"/>. Left out on purpose: the NewestFirst cases (FastBucket is FIFO
/// only), TryReplenish's own cases (continuous refill: it always returns false), and the exact Retry-After values
/// of period arithmetic (FastBucket's is the exact wait, tested in <see cref="FastBucketRateLimiterTests"/>).
/// </summary>
public sealed class RuntimeTokenBucketContractTests
{
    private static readonly TimeSpan OneToken = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void CanAcquireResource()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);
        var lease = limiter.AttemptAcquire();

        Assert.True(lease.IsAcquired);
        Assert.False(limiter.AttemptAcquire().IsAcquired);

        lease.Dispose();
        Assert.False(limiter.AttemptAcquire().IsAcquired);
        _time.Advance(OneToken);

        Assert.True(limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public async Task CanAcquireResourceAsync()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);

        using var lease = await limiter.AcquireAsync();

        Assert.True(lease.IsAcquired);
        var wait = limiter.AcquireAsync();
        Assert.False(wait.IsCompleted);

        _time.Advance(OneToken);

        Assert.True((await wait.AsTask().WaitAsync(NoHang)).IsAcquired);
    }

    [Fact]
    public async Task CanAcquireResourceAsync_QueuesAndGrabsOldest()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 2);
        var lease = await limiter.AcquireAsync();

        Assert.True(lease.IsAcquired);
        var wait1 = limiter.AcquireAsync().AsTask();
        var wait2 = limiter.AcquireAsync().AsTask();
        Assert.False(wait1.IsCompleted);
        Assert.False(wait2.IsCompleted);

        lease.Dispose();
        _time.Advance(OneToken);

        lease = await wait1.WaitAsync(NoHang);
        Assert.True(lease.IsAcquired);
        Assert.False(wait2.IsCompleted);

        lease.Dispose();
        Assert.Equal(0, limiter.GetStatistics()!.CurrentAvailablePermits);
        _time.Advance(OneToken);

        lease = await wait2.WaitAsync(NoHang);
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public async Task FailsWhenQueuingMoreThanLimit_OldestFirst()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);
        using var lease = limiter.AttemptAcquire(1);
        var wait = limiter.AcquireAsync(1);

        var failedLease = await limiter.AcquireAsync(1);
        Assert.False(failedLease.IsAcquired);
        Assert.True(failedLease.TryGetMetadata(MetadataName.RetryAfter, out var timeSpan));
        Assert.Equal(2 * OneToken, timeSpan); // runtime: zero with its zero period; here the exact wait behind the queue
        Assert.False(wait.IsCompleted);
    }

    [Fact]
    public async Task QueueAvailableAfterQueueLimitHitAndResources_BecomeAvailable()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);
        var lease = limiter.AttemptAcquire(1);
        var wait = limiter.AcquireAsync(1).AsTask();

        var failedLease = await limiter.AcquireAsync(1);
        Assert.False(failedLease.IsAcquired);

        _time.Advance(OneToken);
        lease = await wait.WaitAsync(NoHang);
        Assert.True(lease.IsAcquired);

        wait = limiter.AcquireAsync(1).AsTask();
        Assert.False(wait.IsCompleted);

        _time.Advance(OneToken);
        lease = await wait.WaitAsync(NoHang);
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public void ThrowsWhenAcquiringMoreThanLimit()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire(2));
    }

    [Fact]
    public async Task ThrowsWhenWaitingForMoreThanLimit()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await limiter.AcquireAsync(2));
    }

    [Fact]
    public void ThrowsWhenAcquiringLessThanZero()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire(-1));
    }

    [Fact]
    public async Task ThrowsWhenWaitingForLessThanZero()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await limiter.AcquireAsync(-1));
    }

    [Fact]
    public void AcquireZero_WithAvailability()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);

        using var lease = limiter.AttemptAcquire(0);
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public void AcquireZero_WithoutAvailability()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);
        using var lease = limiter.AttemptAcquire(1);
        Assert.True(lease.IsAcquired);

        var lease2 = limiter.AttemptAcquire(0);
        Assert.False(lease2.IsAcquired);
        lease2.Dispose();
    }

    [Fact]
    public async Task AcquireAsyncZero_WithAvailability()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);

        using var lease = await limiter.AcquireAsync(0);
        Assert.True(lease.IsAcquired);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)] // the runtime queues a 0-permit wait even with QueueLimit = 0: it counts for no permits
    public async Task AcquireAsyncZero_WithoutAvailabilityWaitsForAvailability(int queueLimit)
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: queueLimit);
        var lease = await limiter.AcquireAsync(1);
        Assert.True(lease.IsAcquired);

        var wait = limiter.AcquireAsync(0).AsTask();
        Assert.False(wait.IsCompleted);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount); // queued, but for no permits

        lease.Dispose();
        _time.Advance(OneToken);
        using var lease2 = await wait.WaitAsync(NoHang);
        Assert.True(lease2.IsAcquired);
        Assert.Equal(1, limiter.GetStatistics()!.CurrentAvailablePermits); // and it took nothing
    }

    [Fact]
    public async Task CanDequeueMultipleResourcesAtOnce()
    {
        using var limiter = Limiter(tokenLimit: 2, queueLimit: 2);
        using var lease = await limiter.AcquireAsync(2);
        Assert.True(lease.IsAcquired);

        var wait1 = limiter.AcquireAsync(1).AsTask();
        var wait2 = limiter.AcquireAsync(1).AsTask();
        Assert.False(wait1.IsCompleted);
        Assert.False(wait2.IsCompleted);

        _time.Advance(2 * OneToken);

        var lease1 = await wait1.WaitAsync(NoHang);
        var lease2 = await wait2.WaitAsync(NoHang);
        Assert.True(lease1.IsAcquired);
        Assert.True(lease2.IsAcquired);
    }

    [Fact]
    public async Task CanCancelAcquireAsyncAfterQueuing()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);
        var lease = limiter.AttemptAcquire(1);
        Assert.True(lease.IsAcquired);

        using var cts = new CancellationTokenSource();
        var wait = limiter.AcquireAsync(1, cts.Token);

        cts.Cancel();
        var ex = await Assert.ThrowsAsync<TaskCanceledException>(() => wait.AsTask());
        Assert.Equal(cts.Token, ex.CancellationToken);

        lease.Dispose();
        _time.Advance(OneToken);

        Assert.Equal(1, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task CanDisposeAfterCancelingQueuedRequest()
    {
        var limiter = Limiter(tokenLimit: 1, queueLimit: 1);
        var lease = limiter.AttemptAcquire(1);
        Assert.True(lease.IsAcquired);

        using var cts = new CancellationTokenSource();
        var wait = limiter.AcquireAsync(1, cts.Token);

        cts.Cancel();
        var ex = await Assert.ThrowsAsync<TaskCanceledException>(() => wait.AsTask());
        Assert.Equal(cts.Token, ex.CancellationToken);

        // Make sure dispose doesn't have any side-effects when dealing with a canceled queued item
        limiter.Dispose();
    }

    [Fact]
    public async Task CanCancelAcquireAsyncBeforeQueuing()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);
        var lease = limiter.AttemptAcquire(1);
        Assert.True(lease.IsAcquired);

        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var ex = await Assert.ThrowsAsync<TaskCanceledException>(() => limiter.AcquireAsync(1, cts.Token).AsTask());
        Assert.Equal(cts.Token, ex.CancellationToken);

        lease.Dispose();
        _time.Advance(OneToken);

        Assert.Equal(1, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task CancelUpdatesQueueLimit()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);
        var lease = limiter.AttemptAcquire(1);
        Assert.True(lease.IsAcquired);

        using var cts = new CancellationTokenSource();
        var wait = limiter.AcquireAsync(1, cts.Token);

        cts.Cancel();
        var ex = await Assert.ThrowsAsync<TaskCanceledException>(() => wait.AsTask());
        Assert.Equal(cts.Token, ex.CancellationToken);

        wait = limiter.AcquireAsync(1);
        Assert.False(wait.IsCompleted);

        _time.Advance(OneToken);
        lease = await wait.AsTask().WaitAsync(NoHang);
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public void NoMetadataOnAcquiredLease()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);
        using var lease = limiter.AttemptAcquire(1);
        Assert.False(lease.TryGetMetadata(MetadataName.RetryAfter, out _));
    }

    [Fact]
    public void MetadataNamesContainsAllMetadata()
    {
        using var limiter = Limiter(tokenLimit: 1, queueLimit: 1);
        using var lease = limiter.AttemptAcquire(1);
        Assert.Collection(lease.MetadataNames, metadataName => Assert.Equal(metadataName, MetadataName.RetryAfter.Name));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DisposeReleasesQueuedAcquires(bool disposeAsync)
    {
        var limiter = Limiter(tokenLimit: 1, queueLimit: 3);
        var lease = limiter.AttemptAcquire(1);
        var wait1 = limiter.AcquireAsync(1).AsTask();
        var wait2 = limiter.AcquireAsync(1).AsTask();
        var wait3 = limiter.AcquireAsync(1).AsTask();
        Assert.False(wait1.IsCompleted);
        Assert.False(wait2.IsCompleted);
        Assert.False(wait3.IsCompleted);

        if (disposeAsync)
        {
            await limiter.DisposeAsync();
        }
        else
        {
            limiter.Dispose();
        }

        lease = await wait1.WaitAsync(NoHang);
        Assert.False(lease.IsAcquired);
        lease = await wait2.WaitAsync(NoHang);
        Assert.False(lease.IsAcquired);
        lease = await wait3.WaitAsync(NoHang);
        Assert.False(lease.IsAcquired);
        Assert.Collection(lease.MetadataNames, metadataName => Assert.Equal(metadataName, MetadataName.RetryAfter.Name));

        // Throws after disposal
        Assert.Throws<ObjectDisposedException>(() => limiter.AttemptAcquire(1));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => limiter.AcquireAsync(1).AsTask());
    }

    [Fact]
    public async Task RetryMetadataOnFailedWaitAsync()
    {
        using var limiter = Limiter(tokenLimit: 2, queueLimit: 1);

        using var lease = limiter.AttemptAcquire(2);

        var failedLease = await limiter.AcquireAsync(2);
        Assert.False(failedLease.IsAcquired);
        Assert.True(failedLease.TryGetMetadata(MetadataName.RetryAfter.Name, out var metadata));
        var metaDataTime = Assert.IsType<TimeSpan>(metadata);
        Assert.Equal(2 * OneToken, metaDataTime);

        Assert.True(failedLease.TryGetMetadata(MetadataName.RetryAfter, out var typedMetadata));
        Assert.Equal(2 * OneToken, typedMetadata);
        Assert.Collection(failedLease.MetadataNames, item => Assert.Equal(MetadataName.RetryAfter.Name, item));
    }

    [Fact]
    public async Task CorrectRetryMetadataWithQueuedItem()
    {
        using var limiter = Limiter(tokenLimit: 2, queueLimit: 1);

        using var lease = limiter.AttemptAcquire(2);
        // Queue item which changes the retry after time for failed items
        var wait = limiter.AcquireAsync(1);
        Assert.False(wait.IsCompleted);

        var failedLease = await limiter.AcquireAsync(2);
        Assert.False(failedLease.IsAcquired);
        Assert.True(failedLease.TryGetMetadata(MetadataName.RetryAfter, out var typedMetadata));
        Assert.Equal(3 * OneToken, typedMetadata);
    }

    [Fact]
    public void TryReplenishWithAutoReplenish_ReturnsFalse()
    {
        using var limiter = Limiter(tokenLimit: 2, queueLimit: 1);
        Assert.Equal(2, limiter.GetStatistics()!.CurrentAvailablePermits);
        Assert.False(limiter.TryReplenish());
        Assert.Equal(2, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task CannotAcquireResourcesWithAcquireAsyncWithQueuedItemsIfOldestFirst()
    {
        using var limiter = Limiter(tokenLimit: 2, queueLimit: 3);

        var lease = limiter.AttemptAcquire(1);
        Assert.True(lease.IsAcquired);

        var wait = limiter.AcquireAsync(2).AsTask();
        var wait2 = limiter.AcquireAsync(1).AsTask();
        Assert.False(wait.IsCompleted);
        Assert.False(wait2.IsCompleted);

        _time.Advance(OneToken);

        lease = await wait.WaitAsync(NoHang);
        Assert.True(lease.IsAcquired);
        Assert.False(wait2.IsCompleted);

        _time.Advance(OneToken);

        lease = await wait2.WaitAsync(NoHang);
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public async Task CannotAcquireResourcesWithAcquireWithQueuedItemsIfOldestFirst()
    {
        using var limiter = Limiter(tokenLimit: 2, queueLimit: 3);

        var lease = limiter.AttemptAcquire(1);
        Assert.True(lease.IsAcquired);

        var wait = limiter.AcquireAsync(2).AsTask();
        Assert.False(wait.IsCompleted);

        lease = limiter.AttemptAcquire(1);
        Assert.False(lease.IsAcquired);

        _time.Advance(OneToken);

        lease = await wait.WaitAsync(NoHang);
        Assert.True(lease.IsAcquired);
    }

    private FastBucketRateLimiter Limiter(int tokenLimit, int queueLimit) => new(new TokenBucketOptions
    {
        Capacity = tokenLimit,
        TokensPerPeriod = 1,
        RefillPeriod = OneToken,
        MaxQueuedTokens = queueLimit,
        TimeProvider = _time,
    });
}
