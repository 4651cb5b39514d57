using System.Threading.RateLimiting;

namespace FastBucket.Benchmarks.Competitors;

/// <summary>
/// The runtime's <see cref="TokenBucketRateLimiter"/> configured like a FastBucket bucket: the same burst,
/// and the rate as <c>TokensPerPeriod</c> per <c>ReplenishmentPeriod</c> (the runtime refills in chunks, one
/// per period, from a timer or from <see cref="TokenBucketRateLimiter.TryReplenish"/>).
/// </summary>
internal static class RuntimeTokenBuckets
{
    /// <summary>Replenished by the limiter's own timer every <paramref name="period"/>.</summary>
    public static TokenBucketRateLimiter AutoReplenishing(int capacity, int tokensPerPeriod, TimeSpan period, int queueLimit = 0) =>
        new(Options(capacity, tokensPerPeriod, period, queueLimit, autoReplenishment: true));

    /// <summary>Replenished only when the caller calls <see cref="TokenBucketRateLimiter.TryReplenish"/>.</summary>
    public static TokenBucketRateLimiter Manual(int capacity, int tokensPerPeriod, TimeSpan period, int queueLimit = 0) =>
        new(Options(capacity, tokensPerPeriod, period, queueLimit, autoReplenishment: false));

    /// <summary>Options for one limiter; also what a partition of a partitioned limiter is created from.</summary>
    public static TokenBucketRateLimiterOptions Options(int capacity, int tokensPerPeriod, TimeSpan period, int queueLimit, bool autoReplenishment) => new()
    {
        TokenLimit = capacity,
        TokensPerPeriod = tokensPerPeriod,
        ReplenishmentPeriod = period,
        QueueLimit = queueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        AutoReplenishment = autoReplenishment,
    };

    /// <summary>Takes every token there is now, so that the next acquire must wait or be refused.</summary>
    public static void Drain(RateLimiter limiter)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        while (true)
        {
            using var lease = limiter.AttemptAcquire(1);
            if (!lease.IsAcquired)
            {
                return;
            }
        }
    }
}
