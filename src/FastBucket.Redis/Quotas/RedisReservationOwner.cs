using FastBucket.Quotas;

namespace FastBucket.Redis;

/// <summary>
/// Ends one reservation granted by Redis: collects the per-dimension adjustments a <see cref="QuotaReservation"/>
/// makes as it ends, and sends them with the lease release as one script call, so reconciliation costs one round trip.
/// </summary>
internal sealed class RedisReservationOwner : IQuotaReservationOwner
{
    private readonly RedisQuota _quota;
    private readonly long[] _deltas = new long[QuotaDimensions.RateCount];

    internal RedisReservationOwner(RedisQuota quota, string? leaseId, long grantSecond)
    {
        _quota = quota;
        LeaseId = leaseId;
        GrantSecond = grantSecond;
    }

    internal string? LeaseId { get; }

    /// <summary>The second of Redis's clock the reservation was granted in: where the window rule counts its charges.</summary>
    internal long GrantSecond { get; }

    public void Adjust(QuotaDimension dimension, long delta)
    {
        // A reservation adjusts, then releases, on the one thread that ends it.
        if ((int)dimension < _deltas.Length)
        {
            _deltas[(int)dimension] += delta;
        }
    }

    public void Release(in RequestCost cost) => _quota.ReleaseShared(cost, _deltas, LeaseId, GrantSecond);
}
