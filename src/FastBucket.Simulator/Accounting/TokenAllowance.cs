using System.Diagnostics;

namespace FastBucket.Simulator.Accounting;

/// <summary>
/// One dimension's continuously replenishing allowance: a level in [0, capacity] (it may dip below zero by
/// a rounding tolerance) that refills at limit / window per second, as Anthropic documents its limits and as
/// OpenAI's reset headers ("time until fully replenished") describe them.
/// </summary>
/// <remarks>
/// Not thread-safe on purpose: the owning <see cref="RateLimitAccount"/> holds one lock over all of its
/// allowances so that admission across dimensions is all or nothing.
/// </remarks>
internal sealed class TokenAllowance
{
    // Relative slack for comparisons, so that a client waiting exactly the advertised time is admitted despite
    // the rounding of level + rate * elapsed.
    private const double RelativeTolerance = 1e-9;

    private double _level;
    private long _updatedAt;

    public TokenAllowance(RateLimitDimension dimension, long limit, long timestamp)
    {
        Debug.Assert(limit > 0, "A limited dimension has a positive limit.");
        Dimension = dimension;
        Limit = limit;
        RatePerSecond = limit / RateLimitDimensions.Window(dimension).TotalSeconds;
        _level = limit;
        _updatedAt = timestamp;
    }

    public RateLimitDimension Dimension { get; }

    public long Limit { get; }

    public double RatePerSecond { get; }

    public double Level => _level;

    private double Tolerance => Limit * RelativeTolerance;

    public void Refill(long timestamp, TimeProvider time)
    {
        if (timestamp <= _updatedAt)
        {
            return;
        }

        double elapsedSeconds = time.GetElapsedTime(_updatedAt, timestamp).TotalSeconds;
        _level = Math.Min(Limit, _level + (RatePerSecond * elapsedSeconds));
        _updatedAt = timestamp;
    }

    public bool CanEverAdmit(long amount) => amount <= Limit;

    public bool HasRoomFor(long amount) => amount <= _level + Tolerance;

    /// <summary>Zero exactly when there is room; otherwise at least one tick, rounded up so that waiting it is enough.</summary>
    public TimeSpan TimeUntilRoomFor(long amount) =>
        HasRoomFor(amount) ? TimeSpan.Zero : CeilingTicks((amount - _level) / RatePerSecond);

    public TimeSpan TimeUntilFull => _level >= Limit ? TimeSpan.Zero : CeilingTicks((Limit - _level) / RatePerSecond);

    private static TimeSpan CeilingTicks(double seconds) =>
        TimeSpan.FromTicks(Math.Max(1, (long)Math.Ceiling(Math.Min(seconds * TimeSpan.TicksPerSecond, TimeSpan.MaxValue.Ticks / 2.0))));

    public void Take(long amount)
    {
        Debug.Assert(HasRoomFor(amount), "Admission checks room in every dimension before taking from any.");
        _level -= amount;
    }

    public void Return(long amount)
    {
        Debug.Assert(amount >= 0, "Only unused reservations are returned.");
        _level = Math.Min(Limit, _level + amount);
    }

    public AllowanceSnapshot Snapshot() => new(Dimension, Limit, Math.Max(0, _level), TimeUntilFull);
}
