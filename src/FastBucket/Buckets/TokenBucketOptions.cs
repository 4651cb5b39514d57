namespace FastBucket;

/// <summary>Options for a <see cref="TokenBucket"/>.</summary>
public sealed class TokenBucketOptions
{
    /// <summary>Most tokens the bucket holds (the burst): 1 to <see cref="TokenBucket.MaxCapacity"/>, and at most one year of refill.</summary>
    public long Capacity { get; set; }

    /// <summary>
    /// Tokens added per <see cref="RefillPeriod"/>. With the default period of one second this is the rate in
    /// tokens per second. The rate must lie between one token per day and 10^9 tokens per second.
    /// </summary>
    public long TokensPerPeriod { get; set; }

    /// <summary>The period <see cref="TokensPerPeriod"/> refer to; refill is continuous, not in chunks. Default: one second.</summary>
    public TimeSpan RefillPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The level at creation, from minus one year of refill to <see cref="Capacity"/>; <see langword="null"/> (default) for full.</summary>
    public long? InitialTokens { get; set; }

    /// <summary>The clock; <see langword="null"/> (default) for <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Most async acquires waiting at once, from 0 (never wait); more are refused with <see cref="QueueLimitExceededException"/>. Default: unlimited.</summary>
    public int MaxQueuedWaiters { get; set; } = int.MaxValue;

    /// <summary>Most tokens asked for by waiting acquires at once, from 0 (never wait); more are refused with <see cref="QueueLimitExceededException"/>. Default: unlimited.</summary>
    public long MaxQueuedTokens { get; set; } = long.MaxValue;
}
