using FastBucket.Quotas;

namespace FastBucket.Redis;

/// <summary>The requests one process has in flight on a shared quota, and what they reserved per rate dimension (what the evidence rule counts as "everything else in flight").</summary>
internal sealed class RedisQuotaInFlight
{
    private readonly long[] _tokens = new long[QuotaDimensions.RateCount];
    private int _count;

    /// <summary>Requests in flight here.</summary>
    internal int Count => Volatile.Read(ref _count);

    /// <summary>What they reserved, per rate dimension.</summary>
    internal ReadOnlySpan<long> Tokens => _tokens;

    internal void Add(in RequestCost cost) => Move(cost, +1);

    internal void Remove(in RequestCost cost) => Move(cost, -1);

    private void Move(in RequestCost cost, int sign)
    {
        for (int d = 0; d < _tokens.Length; d++)
        {
            Interlocked.Add(ref _tokens[d], sign * QuotaDimensions.CostOf(cost, (QuotaDimension)d));
        }

        Interlocked.Add(ref _count, sign);
    }
}
