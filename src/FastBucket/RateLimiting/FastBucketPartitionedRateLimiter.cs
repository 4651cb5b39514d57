using System.Threading.RateLimiting;

namespace FastBucket.RateLimiting;

/// <summary>Creates <see cref="PartitionedRateLimiter{TResource}"/>s with one <see cref="TokenBucket"/> per key.</summary>
public static class FastBucketPartitionedRateLimiter
{
    /// <summary>How long a partition stays idle (full, nobody waiting) before it is evicted, unless told otherwise: 10 seconds, as in System.Threading.RateLimiting.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A limiter that gives each key (an API key, a model, a tenant) its own bucket, created on first use and
    /// evicted once it has been idle, that is full with nobody waiting, for <paramref name="idleTimeout"/>.
    /// </summary>
    /// <remarks>
    /// <para>The hot path is a dictionary read and the bucket's CAS: no lock, and no allocation for a grant.
    /// Eviction runs on a timer from <paramref name="timeProvider"/>, every quarter of the idle timeout (at
    /// most every second, at least every 10 ms), so a partition goes within one such period after it has been
    /// idle for the timeout. Only a full bucket is evicted, and the idle check and the retirement are one atomic
    /// step, so the fresh bucket that replaces it (also full) never grants more than the old one would have;
    /// an acquire that meets a bucket as it is evicted retries on the new one.</para>
    /// <para>Each partition is a <see cref="FastBucketRateLimiter"/>: the same permit-count rules, exact
    /// Retry-After on refusals, and FIFO waits with the bucket's queue limits.</para>
    /// </remarks>
    /// <typeparam name="TResource">What is being limited (a request).</typeparam>
    /// <typeparam name="TKey">The partition key.</typeparam>
    /// <param name="partitioner">Maps a resource to its key; called on every acquire, so keep it cheap.</param>
    /// <param name="factory">
    /// The bucket options for a new key; called once per key (again after an eviction). Options that name no
    /// <see cref="TokenBucketOptions.TimeProvider"/> get <paramref name="timeProvider"/> (the options object is updated).
    /// </param>
    /// <param name="timeProvider">The clock for eviction and for buckets whose options name none; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="idleTimeout">How long a partition must be idle to be evicted; <see langword="null"/> for <see cref="DefaultIdleTimeout"/>. Positive.</param>
    /// <param name="keyComparer">Compares keys; <see langword="null"/> for the default comparer.</param>
    /// <returns>The limiter; disposing it disposes every partition's bucket.</returns>
    public static PartitionedRateLimiter<TResource> Create<TResource, TKey>(
        Func<TResource, TKey> partitioner,
        Func<TKey, TokenBucketOptions> factory,
        TimeProvider? timeProvider = null,
        TimeSpan? idleTimeout = null,
        IEqualityComparer<TKey>? keyComparer = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(partitioner);
        ArgumentNullException.ThrowIfNull(factory);
        var idle = idleTimeout ?? DefaultIdleTimeout;
        if (idle <= TimeSpan.Zero || idle == Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(idleTimeout), idle, "The idle timeout must be positive.");
        }

        return new PartitionedTokenBucketLimiter<TResource, TKey>(partitioner, factory, timeProvider ?? TimeProvider.System, idle, keyComparer);
    }
}
