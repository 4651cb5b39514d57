using FastBucket.Quotas;

namespace FastBucket.Redis;

/// <summary>Ends one reservation granted by the local fallback quota while Redis was unreachable: it is reconciled there, and what it used is owed to Redis.</summary>
internal sealed class LocalFallbackReservationOwner : IQuotaReservationOwner
{
    private readonly RedisQuota _quota;
    private readonly IQuotaReservationOwner _fallback;

    internal LocalFallbackReservationOwner(RedisQuota quota, LlmQuota fallback)
    {
        _quota = quota;
        _fallback = fallback;
    }

    public void Adjust(QuotaDimension dimension, long delta)
    {
        _fallback.Adjust(dimension, delta);
        _quota.OweAdjustment(dimension, delta);
    }

    public void Release(in RequestCost cost)
    {
        _fallback.Release(cost);
        _quota.ReleaseLocal(cost);
    }
}
