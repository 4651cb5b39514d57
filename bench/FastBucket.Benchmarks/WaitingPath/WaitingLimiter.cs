namespace FastBucket.Benchmarks.WaitingPath;

/// <summary>The limiters compared on the waiting path.</summary>
internal enum WaitingLimiter
{
    /// <summary><see cref="TokenBucket.AcquireAsync(long, CancellationToken)"/>: FIFO waiters, one exact timer.</summary>
    FastBucket,

    /// <summary>The runtime's <c>TokenBucketRateLimiter.AcquireAsync</c>, replenished every millisecond by its timer.</summary>
    RuntimeTokenBucket,

    /// <summary>A lock-and-refill limiter whose waiters poll with <c>Task.Delay(1 ms)</c>.</summary>
    SleepPolling,
}
