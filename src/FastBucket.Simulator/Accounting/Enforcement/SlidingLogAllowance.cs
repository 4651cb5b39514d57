using System.Diagnostics;

namespace FastBucket.Simulator.Accounting.Enforcement;

/// <summary>
/// At most the limit in any window (60 s, or 24 h for per-day limits): every charge is logged and counts until it
/// is one window old; room comes back charge by charge, never continuously.
/// </summary>
internal sealed class SlidingLogAllowance : Allowance
{
    private readonly List<Entry> _entries = [];
    private readonly TimeProvider _time;
    private readonly long _windowTimestampUnits;
    private int _head;
    private long _used;

    public SlidingLogAllowance(RateLimitDimension dimension, long limit, TimeSpan window, TimeProvider time)
        : base(dimension, limit)
    {
        _time = time;
        _windowTimestampUnits = (long)Math.Ceiling(window.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>What the charges of the current window add up to.</summary>
    public long Used => _used;

    public override void Advance(AccountingInstant at)
    {
        while (_head < _entries.Count && _entries[_head].TakenAt + _windowTimestampUnits <= at.Timestamp)
        {
            _used -= _entries[_head].Amount;
            _head++;
        }

        if (_head > 64 && _head * 2 > _entries.Count)
        {
            _entries.RemoveRange(0, _head);
            _head = 0;
        }

        Debug.Assert(_used >= 0, "The log sums what it holds.");
    }

    public override bool CanEverAdmit(long amount) => amount <= Limit;

    public override TimeSpan TimeUntilRoomFor(long amount, AccountingInstant at)
    {
        long excess = _used + amount - Limit;
        if (excess <= 0)
        {
            return TimeSpan.Zero;
        }

        long freed = 0;
        for (int i = _head; i < _entries.Count; i++)
        {
            freed += _entries[i].Amount;
            if (freed >= excess)
            {
                return UntilExpiry(_entries[i], at);
            }
        }

        // Only when overdrawn by refused charges beyond what the log holds; the newest expiry frees everything.
        return _entries.Count > _head ? UntilExpiry(_entries[^1], at) : CeilingTicks(0);
    }

    public override void Take(long amount, AccountingInstant at)
    {
        if (amount <= 0)
        {
            return;
        }

        _entries.Add(new Entry(at.Timestamp, amount));
        _used += amount;
    }

    public override void Return(long amount, AccountingInstant takenAt, AccountingInstant at)
    {
        for (int i = _entries.Count - 1; i >= _head && amount > 0; i--)
        {
            Entry entry = _entries[i];
            if (entry.TakenAt == takenAt.Timestamp)
            {
                long returned = Math.Min(amount, entry.Amount);
                _entries[i] = entry with { Amount = entry.Amount - returned };
                _used -= returned;
                amount -= returned;
            }
        }
    }

    public override AllowanceSnapshot Snapshot(AccountingInstant at) =>
        new(Dimension, Limit, Math.Max(0, Limit - _used), _entries.Count > _head ? UntilExpiry(_entries[^1], at) : TimeSpan.Zero);

    private TimeSpan UntilExpiry(Entry entry, AccountingInstant at) =>
        CeilingTicks((entry.TakenAt + _windowTimestampUnits - at.Timestamp) / (double)_time.TimestampFrequency);

    private readonly record struct Entry(long TakenAt, long Amount);
}
