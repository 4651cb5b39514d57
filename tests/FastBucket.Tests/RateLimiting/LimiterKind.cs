namespace FastBucket.Tests.RateLimiting;

/// <summary>Which token-bucket limiter a <see cref="ComparedLimiter"/> wraps.</summary>
public enum LimiterKind
{
    /// <summary>System.Threading.RateLimiting's own <c>TokenBucketRateLimiter</c>.</summary>
    Runtime,

    /// <summary><see cref="FastBucket.RateLimiting.FastBucketRateLimiter"/> over a bucket on a fake clock.</summary>
    FastBucket,
}
