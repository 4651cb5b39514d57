using FastBucket.Quotas;

namespace FastBucket.Redis;

/// <summary>
/// The local quota a <see cref="RedisQuota"/> uses while Redis is unreachable (<see cref="RedisFailurePolicy.DegradeToLocal"/>):
/// 1/N of every limit, starting from 1/N of what the shared buckets held at this process's last answer from Redis (not
/// full: N processes starting full would admit N shares on top of what Redis had already granted), with 1/N of the
/// concurrency counted against every request this process has in flight. What it admits is owed to Redis afterwards
/// (<see cref="RedisQuotaBacklog"/>).
/// </summary>
internal sealed class RedisQuotaFallback : IDisposable
{
    private readonly QuotaKey _key;
    private readonly QuotaPolicy _policy;
    private readonly TimeProvider _time;
    private readonly int _instances;
    private readonly RedisQuotaBacklog _backlog;
    private LlmQuota? _local;

    internal RedisQuotaFallback(QuotaKey key, QuotaPolicy policy, TimeProvider time, int instances, RedisQuotaBacklog backlog)
    {
        _key = key;
        _policy = policy;
        _time = time;
        _instances = instances;
        _backlog = backlog;
    }

    /// <summary>The local quota of the outage under way, if any.</summary>
    internal LlmQuota? Local => Volatile.Read(ref _local);

    /// <summary>This process's share of the concurrency limit, or <see langword="null"/> when there is none.</summary>
    internal int? ConcurrencyShare(QuotaLimits limits) => limits.MaxConcurrency is { } c ? Math.Max(1, c / _instances) : null;

    /// <summary>Reserves locally, creating the local quota from <paramref name="snapshot"/> on the outage's first call.</summary>
    /// <param name="cost">The cost.</param>
    /// <param name="snapshot">The shared state as last seen.</param>
    /// <param name="inFlightHere">Requests this process has in flight, granted by Redis or here.</param>
    /// <param name="local">The local quota the reservation was taken from.</param>
    /// <param name="retryAfter">When refused, how long until there may be room.</param>
    /// <returns>Whether <paramref name="cost"/> was taken from the local quota.</returns>
    internal bool TryReserve(in RequestCost cost, RedisQuotaSnapshot snapshot, int inFlightHere, out LlmQuota local, out TimeSpan retryAfter)
    {
        local = Ensure(snapshot);
        if (ConcurrencyShare(snapshot.Limits) is { } share && inFlightHere >= share)
        {
            retryAfter = Timeout.InfiniteTimeSpan; // a release here wakes the queue
            return false;
        }

        try
        {
            if (!local.TryReserve(cost, out _, out retryAfter))
            {
                return false;
            }
        }
        catch (ArgumentOutOfRangeException)
        {
            // More than this process's share could ever hold: it waits for Redis, where the whole limit is.
            retryAfter = Timeout.InfiniteTimeSpan;
            return false;
        }

        foreach (var row in QuotaDimensions.RateRows)
        {
            _backlog.AddDebt(row.Dimension, row.CostOf(cost));
        }

        return true;
    }

    /// <summary>Holds the local quota closed too (a 429 seen during the outage).</summary>
    internal void CloseFor(TimeSpan wait) => Local?.CloseFor(wait);

    /// <summary>Fails the local quota fast too.</summary>
    internal void MarkExhausted(QuotaExhaustedException exhaustion, TimeSpan? resetsAfter) => Local?.MarkExhausted(exhaustion, resetsAfter);

    /// <summary>Redis answers again: the next outage starts from the shared state then.</summary>
    internal void End()
    {
        // Reservations still in flight keep their local quota through their owner; its buckets tolerate being disposed.
        Interlocked.Exchange(ref _local, null)?.Dispose();
    }

    public void Dispose() => End();

    private LlmQuota Ensure(RedisQuotaSnapshot snapshot)
    {
        if (Volatile.Read(ref _local) is { } existing)
        {
            return existing;
        }

        var limits = snapshot.Limits;
        var share = QuotaLimits.Unlimited;
        foreach (var row in QuotaDimensions.RateRows)
        {
            share = row.With(share, row.LimitOf(limits) is { } l ? Math.Max(1, l / _instances) : null);
        }

        // Concurrency is checked here, against every request in flight in this process, not by the local quota.
        var created = new LlmQuota(_key, share, _time, burstHeadroom: _policy.BurstHeadroom);
        if (snapshot.IsFromRedis)
        {
            var since = _time.GetElapsedTime(snapshot.ReceivedAt);
            foreach (var row in QuotaDimensions.RateRows)
            {
                if (snapshot.Level(_policy, row.Dimension, since) is { } level)
                {
                    created.Window(row.Dimension)?.ReduceAvailableTo(Math.Max(0, level) / _instances);
                }
            }
        }

        var winner = Interlocked.CompareExchange(ref _local, created, null);
        if (winner is not null)
        {
            created.Dispose();
            return winner;
        }

        return created;
    }
}
