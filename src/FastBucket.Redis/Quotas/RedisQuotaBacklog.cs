using FastBucket.Quotas;

namespace FastBucket.Redis;

/// <summary>
/// What this process owes Redis after an outage, sent with the first call that succeeds again: the usage of requests the
/// local fallback admitted (a debt, so the shared buckets count the outage), the refunds of Redis reservations that ended
/// while it was unreachable, and their leases (so no slot stays held for the lease's lifetime).
/// </summary>
internal sealed class RedisQuotaBacklog
{
    private readonly object _gate = new();
    private readonly long[] _debts = new long[QuotaDimensions.RateCount];
    private readonly long[] _refunds = new long[QuotaDimensions.RateCount];
    private readonly HashSet<string> _leases = [];
    private bool _any;

    /// <summary>Whether anything is owed.</summary>
    internal bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return !_any;
            }
        }
    }

    /// <summary>Usage admitted locally (or its reconciliation, either sign) on one dimension.</summary>
    internal void AddDebt(QuotaDimension dimension, long amount) => Add(_debts, dimension, amount);

    /// <summary>A refund or debt of a Redis reservation that ended while Redis was unreachable.</summary>
    internal void AddAdjustment(QuotaDimension dimension, long amount) => Add(_refunds, dimension, amount);

    /// <summary>A Redis reservation ended while Redis was unreachable: its reconciliation and its lease are owed.</summary>
    internal void Owe(long[] adjustments, string? lease)
    {
        for (int d = 0; d < adjustments.Length; d++)
        {
            AddAdjustment((QuotaDimension)d, adjustments[d]);
        }

        if (lease is not null)
        {
            AddLease(lease);
        }
    }

    /// <summary>A reservation granted after its caller stopped waiting (the call timed out): everything it took is given back.</summary>
    internal void GiveBack(long[] amounts, string? lease) => Owe([.. amounts.Select(a => -a)], lease);

    /// <summary>A lease to free.</summary>
    internal void AddLease(string lease)
    {
        lock (_gate)
        {
            _leases.Add(lease);
            _any = true;
        }
    }

    /// <summary>Takes everything owed, or <see langword="null"/> when nothing is.</summary>
    internal (long[] Debts, long[] Adjustments, string[] Leases)? Take()
    {
        lock (_gate)
        {
            if (!_any)
            {
                return null;
            }

            var taken = ((long[])_debts.Clone(), (long[])_refunds.Clone(), _leases.ToArray());
            Array.Clear(_debts);
            Array.Clear(_refunds);
            _leases.Clear();
            _any = false;
            return taken;
        }
    }

    /// <summary>A flush whose fate is unknown (it timed out): the debts and leases are owed again (charging twice is the safe side, as is freeing a lease twice); the adjustments are dropped (refunding twice is not).</summary>
    internal void Restore(long[] debts, string[] leases)
    {
        for (int d = 0; d < debts.Length; d++)
        {
            AddDebt((QuotaDimension)d, debts[d]);
        }

        foreach (var lease in leases)
        {
            AddLease(lease);
        }
    }

    private void Add(long[] into, QuotaDimension dimension, long amount)
    {
        if (amount == 0 || (int)dimension >= into.Length)
        {
            return;
        }

        lock (_gate)
        {
            into[(int)dimension] += amount;
            _any = true;
        }
    }
}
