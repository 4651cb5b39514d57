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

    private long _answeredAfter = -1;

    internal RedisReservationOwner(RedisQuota quota, string? leaseId, long grantMicroseconds, bool probe = false)
    {
        _quota = quota;
        LeaseId = leaseId;
        GrantMicroseconds = grantMicroseconds;
        Probe = probe;
    }

    /// <summary>Whether Redis granted it as the probe of assumed limits: ending it frees the next probe.</summary>
    internal bool Probe { get; }

    internal string? LeaseId { get; }

    /// <summary>Redis's clock when the reservation was granted (µs since the epoch): the window rule counts its charges in that second.</summary>
    internal long GrantMicroseconds { get; }

    /// <summary>How long after the grant the provider answered, in µs; -1 before an answer.</summary>
    internal long AnsweredAfterMicroseconds => Volatile.Read(ref _answeredAfter);

    /// <summary>The provider answered <paramref name="sinceGrant"/> after the grant (the first answer counts: a retry's is later still).</summary>
    internal void Answered(TimeSpan sinceGrant) =>
        Interlocked.CompareExchange(ref _answeredAfter, Math.Max(0, (long)sinceGrant.TotalMicroseconds), -1);

    public void Adjust(QuotaDimension dimension, long delta)
    {
        // A reservation adjusts, then releases, on the one thread that ends it.
        if ((int)dimension < _deltas.Length)
        {
            _deltas[(int)dimension] += delta;
        }
    }

    public void Release(in RequestCost cost) => _quota.ReleaseShared(cost, _deltas, LeaseId, GrantMicroseconds, AnsweredAfterMicroseconds, Probe);
}
