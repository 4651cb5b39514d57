using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace FastBucket.RateLimiting;

/// <summary>
/// One <see cref="FastBucketRateLimiter"/> per key, created on demand and evicted when idle; see
/// <see cref="FastBucketPartitionedRateLimiter.Create{TResource, TKey}"/>.
/// </summary>
/// <remarks>
/// Invariant: a partition's bucket is disposed only by eviction (<see cref="TokenBucket.TryRetireIfIdle"/>,
/// atomic with the idle check) or by disposing this limiter. So while this limiter is live, an
/// <see cref="ObjectDisposedException"/> from a partition means "evicted under you": drop the entry if it is
/// still there and retry with a fresh partition.
/// </remarks>
internal sealed class PartitionedTokenBucketLimiter<TResource, TKey> : PartitionedRateLimiter<TResource>
    where TKey : notnull
{
    private static readonly Func<TKey, PartitionedTokenBucketLimiter<TResource, TKey>, FastBucketRateLimiter> s_create =
        static (key, self) => self.CreatePartition(key);

    private readonly Func<TResource, TKey> _partitioner;
    private readonly Func<TKey, TokenBucketOptions> _factory;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<TKey, FastBucketRateLimiter> _partitions;
    private readonly ITimer _evictionTimer;
    private int _disposed;

    internal PartitionedTokenBucketLimiter(
        Func<TResource, TKey> partitioner,
        Func<TKey, TokenBucketOptions> factory,
        TimeProvider timeProvider,
        TimeSpan idleTimeout,
        IEqualityComparer<TKey>? keyComparer)
    {
        _partitioner = partitioner;
        _factory = factory;
        _timeProvider = timeProvider;
        IdleTimeout = idleTimeout;
        _partitions = new ConcurrentDictionary<TKey, FastBucketRateLimiter>(keyComparer);
        ScanPeriod = TimeSpan.FromTicks(Math.Clamp(idleTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        _evictionTimer = timeProvider.CreateTimer(static s => ((PartitionedTokenBucketLimiter<TResource, TKey>)s!).EvictIdle(), this, ScanPeriod, ScanPeriod);
    }

    internal TimeSpan IdleTimeout { get; }

    internal TimeSpan ScanPeriod { get; }

    /// <summary>Partitions alive now (a snapshot, for tests).</summary>
    internal int PartitionCount => _partitions.Count;

    public override RateLimiterStatistics? GetStatistics(TResource resource)
    {
        var key = Key(resource);
        while (true)
        {
            var partition = Partition(key);
            try
            {
                return partition.GetStatistics();
            }
            catch (ObjectDisposedException) when (Evicted(key, partition))
            {
            }
        }
    }

    protected override RateLimitLease AttemptAcquireCore(TResource resource, int permitCount)
    {
        var key = Key(resource);
        while (true)
        {
            var partition = Partition(key);
            try
            {
                return partition.AttemptAcquire(permitCount);
            }
            catch (ObjectDisposedException) when (Evicted(key, partition))
            {
            }
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(TResource resource, int permitCount, CancellationToken cancellationToken)
    {
        var key = Key(resource);
        while (true)
        {
            var partition = Partition(key);
            try
            {
                // An evicted bucket refuses synchronously (FastBucketRateLimiter enqueues before going async).
                return partition.AcquireAsync(permitCount, cancellationToken);
            }
            catch (ObjectDisposedException) when (Evicted(key, partition))
            {
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing || Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _evictionTimer.Dispose();
        foreach (var partition in _partitions)
        {
            partition.Value.Dispose();
        }

        _partitions.Clear();
    }

    protected override ValueTask DisposeAsyncCore()
    {
        Dispose(true);
        return ValueTask.CompletedTask;
    }

    private TKey Key(TResource resource)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _partitioner(resource);
    }

    private FastBucketRateLimiter Partition(TKey key) => _partitions.GetOrAdd(key, s_create, this);

    private FastBucketRateLimiter CreatePartition(TKey key)
    {
        var options = _factory(key) ?? throw new InvalidOperationException("The partition factory returned null options.");
        options.TimeProvider ??= _timeProvider;
        return new FastBucketRateLimiter(options);
    }

    /// <summary>Whether <paramref name="partition"/> threw because it was evicted (not because this limiter is disposed); if so, forgets it.</summary>
    private bool Evicted(TKey key, FastBucketRateLimiter partition)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        _partitions.TryRemove(KeyValuePair.Create(key, partition));
        return true;
    }

    private void EvictIdle()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        foreach (var (key, partition) in _partitions)
        {
            if (partition.Bucket.TryRetireIfIdle(IdleTimeout))
            {
                _partitions.TryRemove(KeyValuePair.Create(key, partition));
                partition.Dispose();
            }
        }
    }
}
