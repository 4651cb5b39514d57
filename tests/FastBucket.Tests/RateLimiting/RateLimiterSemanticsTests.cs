using System.Threading.RateLimiting;

namespace FastBucket.Tests.RateLimiting;

/// <summary>
/// What the runtime's token-bucket limiter promises to callers of <see cref="RateLimiter"/>, each stated once
/// and checked against both it and <see cref="FastBucket.RateLimiting.FastBucketRateLimiter"/>: code written
/// against the abstraction sees the same behaviour from either.
/// </summary>
public sealed class RateLimiterSemanticsTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(LimiterKind.Runtime)]
    [InlineData(LimiterKind.FastBucket)]
    public void AttemptAcquire_ZeroPermits_IsGrantedWhileATokenIsThereTakesNothingAndIsRefusedWithRetryAfterOnceEmpty(LimiterKind kind)
    {
        using var compared = ComparedLimiter.Create(kind, tokenLimit: 5, queueLimit: 5);
        var limiter = compared.Limiter;

        using (var probe = limiter.AttemptAcquire(0))
        {
            Assert.True(probe.IsAcquired);
        }

        Assert.Equal(5, limiter.GetStatistics()!.CurrentAvailablePermits);
        Assert.Equal(5, compared.Drain());
        using var refused = limiter.AttemptAcquire(0);
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.True(retryAfter > TimeSpan.Zero);
    }

    [Theory]
    [InlineData(LimiterKind.Runtime)]
    [InlineData(LimiterKind.FastBucket)]
    public async Task AcquireAsync_ZeroPermitsWhileEmpty_WaitsUntilTokensComeAndIsGranted(LimiterKind kind)
    {
        using var compared = ComparedLimiter.Create(kind, tokenLimit: 5, queueLimit: 5);
        var limiter = compared.Limiter;
        compared.Drain();

        var probe = limiter.AcquireAsync(0);

        Assert.False(probe.IsCompleted);
        compared.RefillUntil(() => probe.IsCompleted);
        using var lease = await probe;
        Assert.True(lease.IsAcquired);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount);
    }

    [Theory]
    [InlineData(LimiterKind.Runtime, 6)]
    [InlineData(LimiterKind.FastBucket, 6)]
    [InlineData(LimiterKind.Runtime, int.MaxValue)]
    [InlineData(LimiterKind.FastBucket, int.MaxValue)]
    public void Acquire_PermitCountAboveTheTokenLimit_ThrowsArgumentOutOfRangeAtOnce(LimiterKind kind, int permitCount)
    {
        using var compared = ComparedLimiter.Create(kind, tokenLimit: 5, queueLimit: 100);
        var limiter = compared.Limiter;

        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire(permitCount));
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AcquireAsync(permitCount));

        var statistics = limiter.GetStatistics()!;
        Assert.Equal(5, statistics.CurrentAvailablePermits);
        Assert.Equal(0, statistics.CurrentQueuedCount);
    }

    [Theory]
    [InlineData(LimiterKind.Runtime)]
    [InlineData(LimiterKind.FastBucket)]
    public void Acquire_NegativePermitCount_ThrowsArgumentOutOfRangeNamingIt(LimiterKind kind)
    {
        using var compared = ComparedLimiter.Create(kind, tokenLimit: 5, queueLimit: 5);
        var limiter = compared.Limiter;

        Assert.Equal("permitCount", Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire(-1)).ParamName);
        Assert.Equal("permitCount", Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AcquireAsync(-1)).ParamName);
    }

    [Theory]
    [InlineData(LimiterKind.Runtime)]
    [InlineData(LimiterKind.FastBucket)]
    public async Task AcquireAsync_WaiterCanceled_ThrowsOperationCanceledLeavesTheQueueAndTheNextWaiterIsServed(LimiterKind kind)
    {
        using var compared = ComparedLimiter.Create(kind, tokenLimit: 5, queueLimit: 10);
        var limiter = compared.Limiter;
        compared.Drain();
        using var cts = new CancellationTokenSource();
        var canceled = limiter.AcquireAsync(3, cts.Token);
        var next = limiter.AcquireAsync(2);
        Assert.Equal(5, limiter.GetStatistics()!.CurrentQueuedCount);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled.AsTask().WaitAsync(NoHang));
        Assert.Equal(2, limiter.GetStatistics()!.CurrentQueuedCount);
        compared.RefillUntil(() => next.IsCompleted);
        using var lease = await next;
        Assert.True(lease.IsAcquired);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount);
    }

    [Theory]
    [InlineData(LimiterKind.Runtime)]
    [InlineData(LimiterKind.FastBucket)]
    public async Task AcquireAsync_AlreadyCanceledTokenWhileEmpty_IsCanceledAndQueuesNothing(LimiterKind kind)
    {
        using var compared = ComparedLimiter.Create(kind, tokenLimit: 5, queueLimit: 10);
        var limiter = compared.Limiter;
        compared.Drain();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var wait = limiter.AcquireAsync(1, cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.AsTask().WaitAsync(NoHang));
        Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount);
    }

    [Theory]
    [InlineData(LimiterKind.Runtime)]
    [InlineData(LimiterKind.FastBucket)]
    public async Task AcquireAsync_QueueLimitReached_ReturnsARefusedLeaseAtOnceWithRetryAfter(LimiterKind kind)
    {
        using var compared = ComparedLimiter.Create(kind, tokenLimit: 5, queueLimit: 3);
        var limiter = compared.Limiter;
        compared.Drain();
        var queued = limiter.AcquireAsync(3);

        var overflow = limiter.AcquireAsync(1);

        Assert.True(overflow.IsCompletedSuccessfully);
        using var refused = await overflow;
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.True(retryAfter > TimeSpan.Zero);
        Assert.False(queued.IsCompleted);
        Assert.Equal(3, limiter.GetStatistics()!.CurrentQueuedCount);
        compared.RefillUntil(() => queued.IsCompleted);
        using var lease = await queued;
        Assert.True(lease.IsAcquired);
    }

    [Theory]
    [InlineData(LimiterKind.Runtime)]
    [InlineData(LimiterKind.FastBucket)]
    public async Task AttemptAcquire_WhileAWaiterIsQueued_IsRefusedEvenWithTokensThereAndGrantedOnceItLeaves(LimiterKind kind)
    {
        // A large limit so that the runtime limiter, refilled by real time, cannot overshoot to the waiter's
        // 10,000 (a 10 s stall) while the test looks at the first few tokens.
        using var compared = ComparedLimiter.Create(kind, tokenLimit: 10_000, queueLimit: 10_000);
        var limiter = compared.Limiter;
        compared.Drain();
        using var cts = new CancellationTokenSource();
        var waiter = limiter.AcquireAsync(10_000, cts.Token);
        compared.RefillUntil(() => limiter.GetStatistics()!.CurrentAvailablePermits >= 2);

        using var barging = limiter.AttemptAcquire(1);

        Assert.False(barging.IsAcquired);
        Assert.False(waiter.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.AsTask().WaitAsync(NoHang));
        using var granted = limiter.AttemptAcquire(1);
        Assert.True(granted.IsAcquired);
    }

    [Theory]
    [InlineData(LimiterKind.Runtime)]
    [InlineData(LimiterKind.FastBucket)]
    public async Task Dispose_WithWaiters_CompletesThemWithRefusedLeasesAndLaterCallsThrowObjectDisposed(LimiterKind kind)
    {
        var compared = ComparedLimiter.Create(kind, tokenLimit: 5, queueLimit: 10);
        var limiter = compared.Limiter;
        compared.Drain();
        var first = limiter.AcquireAsync(2);
        var second = limiter.AcquireAsync(0);

        compared.Dispose();

        using var firstLease = await first.AsTask().WaitAsync(NoHang);
        using var secondLease = await second.AsTask().WaitAsync(NoHang);
        Assert.False(firstLease.IsAcquired);
        Assert.False(secondLease.IsAcquired);
        Assert.Throws<ObjectDisposedException>(() => limiter.AttemptAcquire(1));
        Assert.Throws<ObjectDisposedException>(() => limiter.AttemptAcquire(0));
        Assert.Throws<ObjectDisposedException>(() => limiter.AcquireAsync(1));
        Assert.Throws<ObjectDisposedException>(() => limiter.GetStatistics());
        compared.Dispose(); // idempotent
        await limiter.DisposeAsync();
    }

    [Theory]
    [InlineData(LimiterKind.Runtime)]
    [InlineData(LimiterKind.FastBucket)]
    public async Task GetStatistics_AfterGrantsRefusalsAndAWait_CountsEachLeaseOnce(LimiterKind kind)
    {
        using var compared = ComparedLimiter.Create(kind, tokenLimit: 5, queueLimit: 2);
        var limiter = compared.Limiter;

        limiter.AttemptAcquire(2).Dispose();
        limiter.AttemptAcquire(3).Dispose();
        limiter.AttemptAcquire(1).Dispose();
        var statistics = limiter.GetStatistics()!;
        Assert.Equal((0, 0, 2, 1), (statistics.CurrentAvailablePermits, statistics.CurrentQueuedCount, statistics.TotalSuccessfulLeases, statistics.TotalFailedLeases));

        var waiter = limiter.AcquireAsync(2);
        (await limiter.AcquireAsync(1)).Dispose(); // the queue is full: refused at once
        statistics = limiter.GetStatistics()!;
        Assert.Equal((2, 2L, 2L), (statistics.CurrentQueuedCount, statistics.TotalSuccessfulLeases, statistics.TotalFailedLeases));

        compared.RefillUntil(() => waiter.IsCompleted);
        (await waiter).Dispose();
        statistics = limiter.GetStatistics()!;
        Assert.Equal((0, 3L, 2L), (statistics.CurrentQueuedCount, statistics.TotalSuccessfulLeases, statistics.TotalFailedLeases));
    }

    [Theory]
    [InlineData(LimiterKind.Runtime)]
    [InlineData(LimiterKind.FastBucket)]
    public void Leases_Granted_CarryNoRetryAfterAndRefused_ListRetryAfterAmongTheirMetadata(LimiterKind kind)
    {
        using var compared = ComparedLimiter.Create(kind, tokenLimit: 1, queueLimit: 1);
        var limiter = compared.Limiter;

        using var granted = limiter.AttemptAcquire(1);
        using var refused = limiter.AttemptAcquire(1);

        Assert.True(granted.IsAcquired);
        Assert.False(granted.TryGetMetadata(MetadataName.RetryAfter, out _));
        Assert.False(refused.IsAcquired);
        Assert.Contains(MetadataName.RetryAfter.Name, refused.MetadataNames);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter.Name, out var boxed));
        Assert.IsType<TimeSpan>(boxed);
        Assert.Contains(refused.GetAllMetadata(), pair => pair.Key == MetadataName.RetryAfter.Name);
    }
}
