using System.Diagnostics;

namespace FastBucket.Simulator.Accounting.Enforcement;

/// <summary>
/// A continuously replenishing allowance: a level in [.., capacity] refilled at a fixed rate per second, as
/// Anthropic documents its limits and as OpenAI's reset headers ("time until fully replenished") describe them.
/// The level goes below zero only when a refused request is charged.
/// </summary>
internal sealed class TokenBucketAllowance : Allowance
{
    // Relative slack for comparisons, so that a client waiting exactly the advertised time is admitted despite
    // the rounding of level + rate * elapsed.
    private const double RelativeTolerance = 1e-9;

    private readonly TimeProvider _time;
    private readonly bool _admitLargeWhenFull;
    private double _level;
    private long _updatedAt;

    // admitLargeWhenFull: whether a charge above the capacity is admitted when the bucket is full (a quantum bucket
    // must not refuse for ever what the minute allows).
    public TokenBucketAllowance(RateLimitDimension dimension, long limit, double capacity, double ratePerSecond, bool admitLargeWhenFull, AccountingInstant at, TimeProvider time)
        : base(dimension, limit)
    {
        Debug.Assert(capacity > 0 && ratePerSecond > 0, "A bucket has a positive capacity and rate.");
        Capacity = capacity;
        RatePerSecond = ratePerSecond;
        _admitLargeWhenFull = admitLargeWhenFull;
        _time = time;
        _level = capacity;
        _updatedAt = at.Timestamp;
    }

    public double Capacity { get; }

    public double RatePerSecond { get; }

    public double Level => _level;

    private double Tolerance => Capacity * RelativeTolerance;

    public static TokenBucketAllowance ForWindow(RateLimitDimension dimension, long limit, TimeSpan window, AccountingInstant at, TimeProvider time) =>
        new(dimension, limit, limit, limit / window.TotalSeconds, admitLargeWhenFull: false, at, time);

    public override void Advance(AccountingInstant at)
    {
        if (at.Timestamp <= _updatedAt)
        {
            return;
        }

        double elapsedSeconds = _time.GetElapsedTime(_updatedAt, at.Timestamp).TotalSeconds;
        _level = Math.Min(Capacity, _level + (RatePerSecond * elapsedSeconds));
        _updatedAt = at.Timestamp;
    }

    public override bool CanEverAdmit(long amount) => _admitLargeWhenFull || amount <= Capacity;

    public override TimeSpan TimeUntilRoomFor(long amount, AccountingInstant at)
    {
        double needed = Needed(amount);
        return needed <= _level + Tolerance ? TimeSpan.Zero : CeilingTicks((needed - _level) / RatePerSecond);
    }

    public override void Take(long amount, AccountingInstant at) => _level -= amount;

    public override void Return(long amount, AccountingInstant takenAt, AccountingInstant at)
    {
        Debug.Assert(amount >= 0, "Only unused reservations are returned.");
        _level = Math.Min(Capacity, _level + amount);
    }

    public override AllowanceSnapshot Snapshot(AccountingInstant at) => new(Dimension, Limit, Math.Max(0, _level), TimeUntilFull);

    public TimeSpan TimeUntilFull => _level >= Capacity ? TimeSpan.Zero : CeilingTicks((Capacity - _level) / RatePerSecond);

    private double Needed(long amount) => _admitLargeWhenFull ? Math.Min(amount, Capacity) : amount;
}
