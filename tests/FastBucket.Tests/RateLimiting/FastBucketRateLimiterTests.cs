using System.Threading.RateLimiting;
using FastBucket.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.RateLimiting;

/// <summary>What <see cref="FastBucketRateLimiter"/> adds to the RateLimiter contract: exact Retry-After, no allocation per grant, continuous refill, a shared bucket.</summary>
public sealed class FastBucketRateLimiterTests
{
    private static readonly TimeSpan OneTick = TimeSpan.FromTicks(1);
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(30);

    [Fact]
    public void AttemptAcquire_Refused_RetryAfterIsTheBucketsExactWaitAndTheAcquireSucceedsThenNotATickBefore()
    {
        var clock = new FakeTimeProvider();
        using var limiter = Limiter(clock, capacity: 10, tokensPerSecond: 3, initial: 0);

        using var refused = limiter.AttemptAcquire(2);

        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(limiter.Bucket.TimeUntil(2), retryAfter);
        Assert.InRange(retryAfter, TimeSpan.FromMilliseconds(666), TimeSpan.FromMilliseconds(667)); // 2 tokens at 3/s, not "one period"
        clock.Advance(retryAfter - OneTick);
        Assert.False(limiter.AttemptAcquire(2).IsAcquired);
        clock.Advance(OneTick);
        Assert.True(limiter.AttemptAcquire(2).IsAcquired);
    }

    [Fact]
    public void AttemptAcquire_RefusedBehindAWaiter_RetryAfterCountsTheQueuedTokens()
    {
        var clock = new FakeTimeProvider();
        using var limiter = Limiter(clock, capacity: 10, tokensPerSecond: 1000, initial: 0);
        var waiter = limiter.AcquireAsync(5);
        clock.Advance(TimeSpan.FromMilliseconds(2));

        using var refused = limiter.AttemptAcquire(1);

        Assert.False(waiter.IsCompleted);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(limiter.Bucket.TimeUntil(6), retryAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(4), retryAfter);
    }

    [Fact]
    public void AttemptAcquire_ZeroPermitsWhileEmpty_RetryAfterIsTheWaitForOneToken()
    {
        var clock = new FakeTimeProvider();
        using var limiter = Limiter(clock, capacity: 10, tokensPerSecond: 4, initial: 0);

        using var refused = limiter.AttemptAcquire(0);

        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(250), retryAfter);
        clock.Advance(retryAfter);
        Assert.True(limiter.AttemptAcquire(0).IsAcquired);
        Assert.Equal(1, limiter.Bucket.Available); // the probe took nothing
    }

    [Fact]
    public async Task AcquireAsync_ZeroPermitsWhileEmpty_CompletesWhenOneTokenIsThereAndTakesNothing()
    {
        var clock = new FakeTimeProvider();
        using var limiter = Limiter(clock, capacity: 10, tokensPerSecond: 1000, initial: 0);

        var probe = limiter.AcquireAsync(0);
        clock.Advance(TimeSpan.FromMilliseconds(1) - OneTick);
        Assert.False(probe.IsCompleted);
        clock.Advance(OneTick);

        using var lease = await probe.AsTask().WaitAsync(NoHang);
        Assert.True(lease.IsAcquired);
        Assert.Equal(1, limiter.Bucket.Available);
        Assert.Equal(0, limiter.Bucket.QueuedCount);
    }

    [Fact]
    public void Grants_WarmLoopOfAttemptAcquireAndSynchronousAcquireAsync_AllocateNothing()
    {
        using var limiter = new FastBucketRateLimiter(new TokenBucketOptions { Capacity = 1_000_000, TokensPerPeriod = 1_000_000 });
        Acquire(limiter, 1_000); // warm: JIT, statics

        long before = GC.GetAllocatedBytesForCurrentThread();
        int granted = Acquire(limiter, 10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(20_000, granted);
        Assert.Equal(0, allocated);

        static int Acquire(FastBucketRateLimiter limiter, int rounds)
        {
            int granted = 0;
            for (int i = 0; i < rounds; i++)
            {
                using (var lease = limiter.AttemptAcquire(1))
                {
                    granted += lease.IsAcquired ? 1 : 0;
                }

                var wait = limiter.AcquireAsync(1);
                if (wait.IsCompletedSuccessfully)
                {
                    using var lease = wait.Result;
                    granted += lease.IsAcquired ? 1 : 0;
                }
            }

            return granted;
        }
    }

    [Fact]
    public void Replenishment_IsContinuous_TryReplenishDoesNothingAndReturnsFalse()
    {
        var clock = new FakeTimeProvider();
        using var limiter = Limiter(clock, capacity: 10, tokensPerSecond: 1000, initial: 0);

        Assert.True(limiter.IsAutoReplenishing);
        Assert.Equal(TimeSpan.Zero, limiter.ReplenishmentPeriod);
        Assert.False(limiter.TryReplenish());
        Assert.Equal(0, limiter.Bucket.Available);
        clock.Advance(TimeSpan.FromMilliseconds(3)); // no timer: the level is read off the clock
        Assert.Equal(3, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task IdleDuration_IsTheExactTimeFullWithNobodyWaitingAndNullOtherwise()
    {
        var clock = new FakeTimeProvider();
        var limiter = Limiter(clock, capacity: 10, tokensPerSecond: 1000, initial: 10);
        Assert.Equal(TimeSpan.Zero, limiter.IdleDuration);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5), limiter.IdleDuration);

        limiter.AttemptAcquire(4).Dispose();
        Assert.Null(limiter.IdleDuration);
        clock.Advance(TimeSpan.FromMilliseconds(3));
        Assert.Null(limiter.IdleDuration);
        clock.Advance(TimeSpan.FromMilliseconds(1) + TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(2), limiter.IdleDuration); // full since the 4 tokens came back

        limiter.AttemptAcquire(10).Dispose();
        var waiter = limiter.AcquireAsync(10);
        clock.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Null(limiter.IdleDuration);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        (await waiter.AsTask().WaitAsync(NoHang)).Dispose();
        Assert.Null(limiter.IdleDuration); // the waiter took the whole bucket
        clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(TimeSpan.Zero, limiter.IdleDuration);

        limiter.Dispose();
        Assert.Null(limiter.IdleDuration);
    }

    [Fact]
    public void GetStatistics_BucketInDebt_ReportsZeroAvailableNotANegativeCount()
    {
        var clock = new FakeTimeProvider();
        using var limiter = Limiter(clock, capacity: 10, tokensPerSecond: 1000, initial: 0);

        limiter.Bucket.ForceAcquire(7);

        Assert.Equal(-7, limiter.Bucket.Available);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentAvailablePermits);
        Assert.False(limiter.AttemptAcquire(1).IsAcquired);
    }

    [Fact]
    public async Task AcquireAsync_QueueFull_RefusedLeaseHasOnlyTheRuntimesMetadataAndTheExactRetryAfterBehindTheQueue()
    {
        var clock = new FakeTimeProvider();
        using var limiter = new FastBucketRateLimiter(new TokenBucketOptions
        {
            Capacity = 10, TokensPerPeriod = 1000, InitialTokens = 0, TimeProvider = clock, MaxQueuedWaiters = 1,
        });
        var queued = limiter.AcquireAsync(4);

        using var refused = await limiter.AcquireAsync(2);

        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(6), retryAfter);
        Assert.Equal([MetadataName.RetryAfter.Name], refused.MetadataNames); // as the runtime's: no reason phrase
        Assert.False(refused.TryGetMetadata(MetadataName.ReasonPhrase, out _));
        Assert.Equal(1, limiter.GetStatistics()!.TotalFailedLeases);
        clock.Advance(TimeSpan.FromMilliseconds(4));
        Assert.True((await queued.AsTask().WaitAsync(NoHang)).IsAcquired);
    }

    [Fact]
    public async Task AcquireAsync_QueueFull_RefusesSynchronouslyWithoutThrowingAnyExceptionInside()
    {
        var clock = new FakeTimeProvider();
        using var limiter = new FastBucketRateLimiter(new TokenBucketOptions
        {
            Capacity = 10, TokensPerPeriod = 1000, InitialTokens = 0, TimeProvider = clock, MaxQueuedTokens = 3,
        });
        var queued = limiter.AcquireAsync(3);
        int thread = Environment.CurrentManagedThreadId;
        int thrown = 0;
        EventHandler<System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs> count = (_, _) =>
        {
            if (Environment.CurrentManagedThreadId == thread)
            {
                thrown++;
            }
        };

        AppDomain.CurrentDomain.FirstChanceException += count;
        int refused = 0;
        try
        {
            for (int i = 0; i < 100; i++)
            {
                var overflow = limiter.AcquireAsync(1 + (i % 3));
                Assert.True(overflow.IsCompletedSuccessfully); // so the await below stays on this thread
                using var lease = await overflow;
                refused += lease.IsAcquired ? 0 : 1;
            }
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= count;
        }

        Assert.Equal(100, refused);
        Assert.Equal(0, thrown); // under overload every acquire is a refusal: it must not cost an exception
        Assert.Equal(100, limiter.GetStatistics()!.TotalFailedLeases);
        Assert.False(queued.IsCompleted);
    }

    [Fact]
    public async Task AcquireAsync_Canceled_ThrowsWithTheCallersTokenAndKeepsNoToken()
    {
        var clock = new FakeTimeProvider();
        using var limiter = Limiter(clock, capacity: 10, tokensPerSecond: 1000, initial: 0);
        using var cts = new CancellationTokenSource();
        var wait = limiter.AcquireAsync(5, cts.Token);
        clock.Advance(TimeSpan.FromMilliseconds(3));

        await cts.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.AsTask().WaitAsync(NoHang));
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.Equal(3, limiter.Bucket.Available);
        Assert.Equal(0, limiter.Bucket.QueuedCount);
        Assert.Equal(0, limiter.GetStatistics()!.TotalFailedLeases);
    }

    [Fact]
    public async Task AcquireAsync_LimiterAndDirectBucketWaiters_AreServedInArrivalOrder()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(10, 1000, clock, initialTokens: 0);
        using var limiter = new FastBucketRateLimiter(bucket);
        var completed = new List<string>();

        var first = Record(limiter.AcquireAsync(6).AsTask(), "limiter 6");
        var second = Record(bucket.AcquireAsync(1).AsTask(), "bucket 1");
        var third = Record(limiter.AcquireAsync(1).AsTask(), "limiter 1");
        clock.Advance(TimeSpan.FromMilliseconds(5));
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted); // its token is there, but the head is not served yet
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await first.WaitAsync(NoHang);
        clock.Advance(TimeSpan.FromMilliseconds(2));
        await Task.WhenAll(second, third).WaitAsync(NoHang);

        Assert.Equal("limiter 6", completed[0]);
        Assert.Equal(0, bucket.Available);

        async Task Record(Task wait, string name)
        {
            await wait;
            lock (completed)
            {
                completed.Add(name);
            }
        }
    }

    [Fact]
    public async Task Dispose_OverASharedBucket_EndsOnlyItsOwnWaitsWithRefusedLeasesAndLeavesTheBucketLive()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(10, 1000, clock, initialTokens: 0);
        var limiter = new FastBucketRateLimiter(bucket);
        using var cts = new CancellationTokenSource();
        var mine = limiter.AcquireAsync(3, cts.Token);
        var theirs = bucket.AcquireAsync(2);

        limiter.Dispose();

        using var lease = await mine.AsTask().WaitAsync(NoHang);
        Assert.False(lease.IsAcquired);
        Assert.Equal([MetadataName.RetryAfter.Name], lease.MetadataNames); // as the runtime's failed lease
        Assert.False(lease.TryGetMetadata(MetadataName.RetryAfter, out _));
        Assert.False(theirs.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(2));
        await theirs.AsTask().WaitAsync(NoHang);
        Assert.Equal(0, bucket.Available);
        clock.Advance(TimeSpan.FromMilliseconds(3));
        Assert.Equal(3, bucket.Available); // nothing went to the ended wait
        Assert.Throws<ObjectDisposedException>(() => limiter.AttemptAcquire(1));
    }

    [Fact]
    public async Task Dispose_OwningTheBucket_DisposesIt()
    {
        var limiter = new FastBucketRateLimiter(new TokenBucketOptions { Capacity = 5, TokensPerPeriod = 5, TimeProvider = new FakeTimeProvider() });

        await limiter.DisposeAsync();

        Assert.Throws<ObjectDisposedException>(() => limiter.Bucket.TryAcquire());
    }

    [Fact]
    public void Constructor_NullArguments_ThrowArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => new FastBucketRateLimiter((TokenBucket)null!));
        Assert.Throws<ArgumentNullException>(() => new FastBucketRateLimiter((TokenBucketOptions)null!));
    }

    private static FastBucketRateLimiter Limiter(FakeTimeProvider clock, long capacity, long tokensPerSecond, long initial) =>
        new(new TokenBucketOptions { Capacity = capacity, TokensPerPeriod = tokensPerSecond, InitialTokens = initial, TimeProvider = clock });

    [Fact]
    public async Task AcquireAsync_NoQueue_RefusedAtOnceWithRetryAfterLikeQueueLimitZero()
    {
        var clock = new FakeTimeProvider();
        using var limiter = new FastBucketRateLimiter(new TokenBucketOptions
        {
            Capacity = 1,
            TokensPerPeriod = 4,
            TimeProvider = clock,
            InitialTokens = 0,
            MaxQueuedWaiters = 0,
        });

        using var refused = await limiter.AcquireAsync(1);

        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(250), retryAfter);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount);
    }
}
