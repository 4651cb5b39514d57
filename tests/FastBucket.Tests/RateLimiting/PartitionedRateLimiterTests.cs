using System.Diagnostics;
using System.Threading.RateLimiting;
using FastBucket.RateLimiting;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.RateLimiting;

/// <summary>One bucket per key: independent partitions, idle eviction, and eviction that never changes what is granted.</summary>
public sealed class PartitionedRateLimiterTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void AttemptAcquire_DifferentKeys_HaveIndependentBuckets()
    {
        var clock = new FakeTimeProvider();
        using var limiter = Limiter(clock, capacity: 3, out _);

        Assert.Equal(3, Drain(limiter, "tenant-a/gpt"));
        Assert.Equal(3, Drain(limiter, "tenant-b/gpt"));
        Assert.Equal(3, Drain(limiter, "tenant-a/claude"));
        Assert.False(limiter.AttemptAcquire("tenant-a/gpt").IsAcquired);
        Assert.Equal(0, limiter.GetStatistics("tenant-a/gpt")!.CurrentAvailablePermits);
        Assert.Equal(3, Partitions(limiter).PartitionCount);
    }

    [Fact]
    public void Eviction_PartitionFullAndIdleForTheTimeout_IsEvictedWithinOneScanAndReplacedOnNextUse()
    {
        var clock = new FakeTimeProvider();
        using var limiter = Limiter(clock, capacity: 5, out var created);
        var partitions = Partitions(limiter);
        limiter.AttemptAcquire("a", 5).Dispose(); // full again 5 ms later

        clock.Advance(TimeSpan.FromMilliseconds(5) + IdleTimeout - TimeSpan.FromTicks(1));
        Assert.Equal(1, partitions.PartitionCount);
        clock.Advance(TimeSpan.FromTicks(1) + partitions.ScanPeriod);
        Assert.Equal(0, partitions.PartitionCount);

        Assert.Equal(5, Drain(limiter, "a"));
        Assert.Equal(["a", "a"], created);
    }

    [Fact]
    public void Eviction_PartitionNotFull_IsKept()
    {
        var clock = new FakeTimeProvider();
        using var limiter = FastBucketPartitionedRateLimiter.Create<string, string>(
            resource => resource,
            _ => new TokenBucketOptions { Capacity = 100, TokensPerPeriod = 1 }, // refills in 100 s
            clock,
            IdleTimeout);
        limiter.AttemptAcquire("a", 100).Dispose();

        clock.Advance(TimeSpan.FromSeconds(99));

        Assert.Equal(1, Partitions(limiter).PartitionCount);
        Assert.Equal(99, limiter.GetStatistics("a")!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task Eviction_WhileAnAcquireWaits_KeepsThePartitionAndTheWaiterIsServed()
    {
        var clock = new FakeTimeProvider();
        using var limiter = FastBucketPartitionedRateLimiter.Create<string, string>(
            resource => resource,
            _ => new TokenBucketOptions { Capacity = 10, TokensPerPeriod = 1, RefillPeriod = TimeSpan.FromMinutes(1) },
            clock,
            TimeSpan.FromMilliseconds(100));
        limiter.AttemptAcquire("a", 10).Dispose();
        var waiter = limiter.AcquireAsync("a", 10);

        clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1));
        Assert.False(waiter.IsCompleted);
        Assert.Equal(1, Partitions(limiter).PartitionCount);
        clock.Advance(TimeSpan.FromTicks(1));

        using var lease = await waiter.AsTask().WaitAsync(NoHang);
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public void AttemptAcquire_PartitionEvictedBetweenLookupAndAcquire_RetriesOnAFreshBucketAndGrantsNoMoreThanTheOldOne()
    {
        var clock = new ManualTimeProvider();
        var created = new List<string>();
        using var limiter = FastBucketPartitionedRateLimiter.Create<string, string>(
            resource => resource,
            key =>
            {
                created.Add(key);
                return new TokenBucketOptions { Capacity = 5, TokensPerPeriod = 1000 };
            },
            clock,
            TimeSpan.FromSeconds(1));
        limiter.AttemptAcquire("a", 2).Dispose();
        clock.Advance(TimeSpan.FromSeconds(2)); // full and idle for ~2 s, but no timer fires by itself

        // The bucket's first clock read inside the acquire runs the eviction scan: the acquire has already
        // looked the partition up and meets its bucket retired.
        clock.OnNextTimestamp = clock.FireTimers;
        using var lease = limiter.AttemptAcquire("a", 5);

        Assert.True(lease.IsAcquired);
        Assert.Null(clock.OnNextTimestamp);
        Assert.Equal(["a", "a"], created);
        Assert.Equal(0, limiter.GetStatistics("a")!.CurrentAvailablePermits); // 5, exactly what the old bucket held
        Assert.False(limiter.AttemptAcquire("a").IsAcquired);
    }

    [Fact]
    public async Task AcquireAsync_PartitionEvictedBetweenLookupAndAcquire_RetriesOnAFreshBucket()
    {
        var clock = new ManualTimeProvider();
        using var limiter = FastBucketPartitionedRateLimiter.Create<string, string>(
            resource => resource,
            _ => new TokenBucketOptions { Capacity = 5, TokensPerPeriod = 1000 },
            clock,
            TimeSpan.FromSeconds(1));
        limiter.AttemptAcquire("a", 2).Dispose();
        clock.Advance(TimeSpan.FromSeconds(2));

        clock.OnNextTimestamp = clock.FireTimers;
        var wait = limiter.AcquireAsync("a", 4);

        Assert.True(wait.IsCompletedSuccessfully);
        using var lease = await wait;
        Assert.True(lease.IsAcquired);
        Assert.Equal(1, limiter.GetStatistics("a")!.CurrentAvailablePermits);
    }

    [Property(MaxTest = 100)]
    public Property Eviction_IsInvisible_EveryDecisionEqualsThatOfABucketNeverEvicted() =>
        Prop.ForAll(
            (from steps in Gen.Choose(0, 2_000_000).Two().ListOf() select steps.ToArray()).ToArbitrary(),
            steps =>
            {
                // Steps alternate clock advances (up to 20 s: some outlast the 1 s idle timeout, some not)
                // with acquires of 1 to 5 tokens, checked against a plain bucket on the same clock.
                var clock = new FakeTimeProvider();
                using var limiter = FastBucketPartitionedRateLimiter.Create<string, string>(
                    resource => resource,
                    _ => new TokenBucketOptions { Capacity = 5, TokensPerPeriod = 10 },
                    clock,
                    TimeSpan.FromSeconds(1));
                using var reference = new TokenBucket(new TokenBucketOptions { Capacity = 5, TokensPerPeriod = 10, TimeProvider = clock });
                int evictions = 0;
                foreach (var (advance, acquire) in steps)
                {
                    clock.Advance(TimeSpan.FromTicks((long)advance * 100));
                    evictions += Partitions(limiter).PartitionCount == 0 ? 1 : 0;
                    int tokens = 1 + (acquire % 5);
                    using var lease = limiter.AttemptAcquire("key", tokens);
                    if (lease.IsAcquired != reference.TryAcquire(tokens))
                    {
                        return false.Label($"acquire of {tokens} after {advance * 100} ticks differs: partitioned {lease.IsAcquired}");
                    }
                }

                return true.Classify(evictions > 0, "evicted at least once");
            });

    [Fact]
    public void Eviction_TenThousandKeys_AllEvictedOnceIdleAndEachKeyHadItsOwnCapacity()
    {
        var clock = new FakeTimeProvider();
        using var limiter = Limiter(clock, capacity: 2, out var created);
        var partitions = Partitions(limiter);

        long granted = 0;
        for (int key = 0; key < 10_000; key++)
        {
            granted += Drain(limiter, key.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(20_000, granted);
        Assert.Equal(10_000, partitions.PartitionCount);
        clock.Advance(TimeSpan.FromMilliseconds(2) + IdleTimeout + partitions.ScanPeriod);
        Assert.Equal(0, partitions.PartitionCount);
        Assert.Equal(10_000, created.Count);
    }

    [Fact]
    public void AttemptAcquire_NewKeys_EachPartitionAllocatesUnderFourKilobytes()
    {
        // Tenants × models can mean many partitions that never see a waiter: one must not carry a full
        // waiter pool (8 KB of references alone before the pool grew on demand).
        using var limiter = FastBucketPartitionedRateLimiter.Create<int, int>(
            resource => resource,
            _ => new TokenBucketOptions { Capacity = 2, TokensPerPeriod = 1000 });
        for (int key = 0; key < 100; key++)
        {
            limiter.AttemptAcquire(key).Dispose(); // warm
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int key = 100; key < 2_100; key++)
        {
            limiter.AttemptAcquire(key).Dispose();
        }

        long perPartition = (GC.GetAllocatedBytesForCurrentThread() - before) / 2_000;
        Assert.InRange(perPartition, 1, 4_096);
    }

    [Fact]
    public async Task Dispose_WithWaiters_RefusesThemDisposesEveryPartitionAndLaterCallsThrow()
    {
        var clock = new FakeTimeProvider();
        var limiter = Limiter(clock, capacity: 3, out _);
        limiter.AttemptAcquire("a", 3).Dispose();
        var waiter = limiter.AcquireAsync("a", 2);

        limiter.Dispose();

        using var lease = await waiter.AsTask().WaitAsync(NoHang);
        Assert.False(lease.IsAcquired);
        Assert.Throws<ObjectDisposedException>(() => limiter.AttemptAcquire("a"));
        Assert.Throws<ObjectDisposedException>(() => limiter.AttemptAcquire("b"));
        Assert.Throws<ObjectDisposedException>(() => limiter.AcquireAsync("b"));
        Assert.Throws<ObjectDisposedException>(() => limiter.GetStatistics("b"));
        clock.Advance(TimeSpan.FromMinutes(1)); // the eviction timer is gone
        await limiter.DisposeAsync();
    }

    [Fact]
    public void Create_OptionsWithoutAClock_GetTheLimitersClock()
    {
        var clock = new FakeTimeProvider();
        var options = new TokenBucketOptions { Capacity = 4, TokensPerPeriod = 1000 };
        using var limiter = FastBucketPartitionedRateLimiter.Create<string, string>(_ => "k", _ => options, clock);

        limiter.AttemptAcquire("x", 4).Dispose();
        Assert.False(limiter.AttemptAcquire("x").IsAcquired);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Same(clock, options.TimeProvider);
        Assert.True(limiter.AttemptAcquire("x").IsAcquired);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(-10_000L)] // Timeout.InfiniteTimeSpan
    public void Create_IdleTimeoutNotPositive_ThrowsArgumentOutOfRangeNamingIt(long ticks)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            FastBucketPartitionedRateLimiter.Create<string, string>(r => r, _ => new TokenBucketOptions { Capacity = 1, TokensPerPeriod = 1 }, idleTimeout: TimeSpan.FromTicks(ticks)));

        Assert.Equal("idleTimeout", error.ParamName);
    }

    [Fact]
    public void Create_NullDelegatesOrNullOptions_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => FastBucketPartitionedRateLimiter.Create<string, string>(null!, _ => new TokenBucketOptions()));
        Assert.Throws<ArgumentNullException>(() => FastBucketPartitionedRateLimiter.Create<string, string>(r => r, null!));
        using var limiter = FastBucketPartitionedRateLimiter.Create<string, string>(r => r, _ => null!, new FakeTimeProvider());
        Assert.Throws<InvalidOperationException>(() => limiter.AttemptAcquire("a"));
    }

    [Fact]
    public void AttemptAcquire_ThreadsOnFewKeysWhileEvictionRunsOnTheRealClock_NeverThrowsNorGrantsAboveTheLaw()
    {
        // Real clock and a 1 ms idle timeout, so that partitions are evicted and recreated under the threads.
        const int capacity = 50;
        const int rate = 10_000;
        string[] keys = ["a", "b", "c", "d"];
        using var limiter = FastBucketPartitionedRateLimiter.Create<string, string>(
            resource => resource,
            _ => new TokenBucketOptions { Capacity = capacity, TokensPerPeriod = rate },
            idleTimeout: TimeSpan.FromMilliseconds(1));
        var granted = new long[keys.Length];
        long started = Stopwatch.GetTimestamp();
        long stopAt = started + (Stopwatch.Frequency / 2);

        // Past the half second the threads go on until every key has granted something, so that "each key
        // granted" does not rest on the threads being scheduled in time; the hard stop keeps a starved
        // machine from hanging the suite.
        long hardStop = started + (Stopwatch.Frequency * 120);
        bool Running()
        {
            long now = Stopwatch.GetTimestamp();
            if (now >= hardStop)
            {
                return false;
            }

            if (now < stopAt)
            {
                return true;
            }

            for (int k = 0; k < granted.Length; k++)
            {
                if (Interlocked.Read(ref granted[k]) == 0)
                {
                    return true;
                }
            }

            return false;
        }

        var workers = Enumerable.Range(0, 4).Select(worker => new Thread(() =>
        {
            var random = new Random(worker);
            while (Running())
            {
                int k = random.Next(keys.Length);
                int tokens = random.Next(1, 4);
                using var lease = limiter.AttemptAcquire(keys[k], tokens);
                if (lease.IsAcquired)
                {
                    Interlocked.Add(ref granted[k], tokens);
                }

                if (random.Next(64) == 0)
                {
                    Thread.Sleep(2); // let the key go idle and be evicted
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        double seconds = (double)(Stopwatch.GetTimestamp() - started) / Stopwatch.Frequency;

        Assert.All(granted, count => Assert.InRange(count, 1, capacity + (rate * seconds)));
    }

    private static PartitionedRateLimiter<string> Limiter(TimeProvider clock, long capacity, out List<string> created)
    {
        var keys = new List<string>();
        created = keys;
        return FastBucketPartitionedRateLimiter.Create<string, string>(
            resource => resource,
            key =>
            {
                keys.Add(key);
                return new TokenBucketOptions { Capacity = capacity, TokensPerPeriod = 1000 };
            },
            clock,
            IdleTimeout);
    }

    private static PartitionedTokenBucketLimiter<string, string> Partitions(PartitionedRateLimiter<string> limiter) =>
        (PartitionedTokenBucketLimiter<string, string>)limiter;

    private static int Drain(PartitionedRateLimiter<string> limiter, string key)
    {
        int taken = 0;
        while (true)
        {
            using var lease = limiter.AttemptAcquire(key);
            if (!lease.IsAcquired)
            {
                return taken;
            }

            taken++;
        }
    }
}
