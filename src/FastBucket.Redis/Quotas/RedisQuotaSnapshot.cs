using FastBucket.Quotas;

namespace FastBucket.Redis;

/// <summary>
/// The quota as Redis last described it to this process: levels, limits in force, counters, leases. Immutable;
/// replaced as a whole by each newer answer, so readers never see half of one.
/// </summary>
internal sealed class RedisQuotaSnapshot
{
    private const int DimensionCount = QuotaDimensions.RateCount;

    private RedisQuotaSnapshot(long serverMicroseconds, long receivedAt, long epoch, long[] levels, long[] limitValues, int leasesHeld, QuotaLimits limits)
    {
        ServerMicroseconds = serverMicroseconds;
        ReceivedAt = receivedAt;
        Epoch = epoch;
        Levels = levels;
        LimitValues = limitValues;
        LeasesHeld = leasesHeld;
        Limits = limits;
    }

    /// <summary>The server's time of the answer (whole µs); <see cref="long.MinValue"/> before any answer.</summary>
    internal long ServerMicroseconds { get; }

    /// <summary>When the answer arrived, on the local clock.</summary>
    internal long ReceivedAt { get; }

    /// <summary>The hash's generation.</summary>
    internal long Epoch { get; }

    /// <summary>The level per rate dimension at the answer.</summary>
    internal long[] Levels { get; }

    /// <summary>The limits in force per rate dimension (0: none).</summary>
    internal long[] LimitValues { get; }

    /// <summary>Leases held by every process at the answer.</summary>
    internal int LeasesHeld { get; }

    /// <summary>The limits in force, with this process's concurrency limit.</summary>
    internal QuotaLimits Limits { get; }

    /// <summary>Whether Redis has answered at all.</summary>
    internal bool IsFromRedis => ServerMicroseconds != long.MinValue;

    /// <summary>Before Redis answered: the configured limits, every bucket assumed full.</summary>
    internal static RedisQuotaSnapshot Initial(QuotaPolicy policy, QuotaLimits configured, long receivedAt)
    {
        var limits = new long[DimensionCount];
        var levels = new long[DimensionCount];
        for (int d = 0; d < DimensionCount; d++)
        {
            limits[d] = QuotaDimensions.LimitOf(configured, (QuotaDimension)d) ?? 0;
            levels[d] = limits[d] == 0 ? 0 : policy.Capacity(limits[d]);
        }

        return new RedisQuotaSnapshot(long.MinValue, receivedAt, 0, levels, limits, 0, configured);
    }

    /// <summary>The state an answer describes.</summary>
    internal static RedisQuotaSnapshot From(RedisQuotaReply reply, long receivedAt, QuotaLimits configured)
    {
        var limits = configured;
        foreach (var row in QuotaDimensions.RateRows)
        {
            long value = reply.Limits[(int)row.Dimension];
            limits = row.With(limits, value == 0 ? null : value);
        }

        return new RedisQuotaSnapshot(reply.NowMicroseconds, receivedAt, reply.Epoch, reply.Levels, reply.Limits, (int)reply.LeasesHeld, limits);
    }

    /// <summary>One dimension's level now: the answer's plus the refill since, capped at the capacity; <see langword="null"/> if not limited.</summary>
    internal long? Level(QuotaPolicy policy, QuotaDimension dimension, TimeSpan sinceReceived)
    {
        int d = (int)dimension;
        long limit = LimitValues[d];
        if (limit == 0)
        {
            return null;
        }

        double refill = QuotaPolicy.RefillPerSecond(dimension, limit) * sinceReceived.TotalSeconds;
        return Math.Min(policy.Capacity(limit), Levels[d] + (long)Math.Floor(refill));
    }

    /// <summary>How long until every dimension would have room for <paramref name="cost"/>, by this state (ignoring other demand).</summary>
    internal TimeSpan WaitFor(QuotaPolicy policy, in RequestCost cost, TimeSpan sinceReceived)
    {
        var wait = TimeSpan.Zero;
        foreach (var row in QuotaDimensions.RateRows)
        {
            long amount = row.CostOf(cost);
            if (amount > 0 && Level(policy, row.Dimension, sinceReceived) is { } level && level < amount)
            {
                var needed = TimeSpan.FromSeconds((amount - level) / QuotaPolicy.RefillPerSecond(row.Dimension, LimitValues[(int)row.Dimension]));
                wait = needed > wait ? needed : wait;
            }
        }

        return wait;
    }
}
