namespace FastBucket.Redis;

/// <summary>What a <see cref="RedisQuota"/> does while Redis is unreachable or slower than <see cref="RedisQuotaOptions.OperationTimeout"/>.</summary>
public enum RedisFailurePolicy
{
    /// <summary>
    /// Grant nothing without Redis: <see cref="RedisQuota.TryReserve"/> refuses and <see cref="RedisQuota.ReserveAsync"/>
    /// waits (bounded by its cancellation token and the queue limit) until Redis answers again. The shared limit can
    /// never be exceeded, at the price of stopping every process during an outage.
    /// </summary>
    FailClosed,

    /// <summary>
    /// Fall back to an in-process quota holding 1/<see cref="RedisQuotaOptions.ExpectedInstances"/> of every limit
    /// until Redis answers again. With the right instance count the account stays within its limits; traffic keeps
    /// flowing, and returns to the shared quota by itself once Redis is back.
    /// </summary>
    DegradeToLocal,
}
