namespace FastBucket.Simulator.Accounting.Enforcement;

/// <summary>
/// A limit enforced over a shorter period as well: the window's token bucket plus a bucket holding only one
/// period's worth (limit × period / window) at the same rate. OpenAI: "60,000 requests/minute may be enforced as
/// 1,000 requests/second". A charge larger than one period's worth passes the short bucket when it is full.
/// </summary>
internal sealed class QuantizedAllowance : Allowance
{
    private readonly TokenBucketAllowance _window;
    private readonly TokenBucketAllowance _quantum;

    public QuantizedAllowance(RateLimitDimension dimension, long limit, TimeSpan window, TimeSpan period, AccountingInstant at, TimeProvider time)
        : base(dimension, limit)
    {
        double rate = limit / window.TotalSeconds;
        _window = new TokenBucketAllowance(dimension, limit, limit, rate, admitLargeWhenFull: false, at, time);
        _quantum = new TokenBucketAllowance(dimension, limit, Math.Min(limit, rate * period.TotalSeconds), rate, admitLargeWhenFull: true, at, time);
    }

    /// <summary>The short bucket's capacity: what may go out at once.</summary>
    public double QuantumCapacity => _quantum.Capacity;

    public override void Advance(AccountingInstant at)
    {
        _window.Advance(at);
        _quantum.Advance(at);
    }

    public override bool CanEverAdmit(long amount) => _window.CanEverAdmit(amount);

    public override TimeSpan TimeUntilRoomFor(long amount, AccountingInstant at)
    {
        TimeSpan window = _window.TimeUntilRoomFor(amount, at);
        TimeSpan quantum = _quantum.TimeUntilRoomFor(amount, at);
        return window > quantum ? window : quantum;
    }

    public override void Take(long amount, AccountingInstant at)
    {
        _window.Take(amount, at);
        _quantum.Take(amount, at);
    }

    public override void Return(long amount, AccountingInstant takenAt, AccountingInstant at)
    {
        _window.Return(amount, takenAt, at);
        _quantum.Return(amount, takenAt, at);
    }

    /// <summary>
    /// The minute's bucket alone, as OpenAI's headers report it: a 429 from the quantum can arrive while the headers
    /// still show plenty remaining (the real vector: "Limit 150000, Used 149984" next to remaining 149984 tokens).
    /// </summary>
    public override AllowanceSnapshot Snapshot(AccountingInstant at) => _window.Snapshot(at);
}
