using System.Diagnostics;

namespace FastBucket.Simulator.Accounting.Enforcement;

/// <summary>
/// One limited dimension of an account under one <see cref="EnforcementKind"/>. Not thread-safe on purpose: the
/// owning <see cref="RateLimitAccount"/> holds one lock over all of its allowances so that admission across
/// dimensions is all or nothing. Every method but <see cref="Create"/> expects <see cref="Advance"/> first.
/// </summary>
internal abstract class Allowance
{
    protected Allowance(RateLimitDimension dimension, long limit)
    {
        Debug.Assert(limit > 0, "A limited dimension has a positive limit.");
        Dimension = dimension;
        Limit = limit;
    }

    public RateLimitDimension Dimension { get; }

    /// <summary>The configured limit per window (per minute or per day).</summary>
    public long Limit { get; }

    /// <summary>Brings the allowance to <paramref name="at"/>: refills, rolls windows, forgets expired charges.</summary>
    public abstract void Advance(AccountingInstant at);

    /// <summary>Whether a charge of <paramref name="amount"/> could ever be admitted, so that waiting helps.</summary>
    public abstract bool CanEverAdmit(long amount);

    /// <summary>Zero exactly when there is room now; otherwise a positive wait after which there is.</summary>
    public abstract TimeSpan TimeUntilRoomFor(long amount, AccountingInstant at);

    /// <summary>Takes <paramref name="amount"/>, overdrawing when there is no room (a refused request that is charged).</summary>
    public abstract void Take(long amount, AccountingInstant at);

    /// <summary>Gives back <paramref name="amount"/> of a charge taken at <paramref name="takenAt"/>, as far as it still counts.</summary>
    public abstract void Return(long amount, AccountingInstant takenAt, AccountingInstant at);

    public abstract AllowanceSnapshot Snapshot(AccountingInstant at);

    public static Allowance Create(RateLimitDimension dimension, long limit, DimensionAccounting accounting, AccountingInstant at, TimeProvider time)
    {
        TimeSpan window = RateLimitDimensions.Window(dimension);
        return accounting.Enforcement switch
        {
            EnforcementKind.TokenBucket => TokenBucketAllowance.ForWindow(dimension, limit, window, at, time),
            EnforcementKind.Quantized => new QuantizedAllowance(dimension, limit, window, accounting.Period, at, time),
            EnforcementKind.FixedWindow => FixedWindowAllowance.ClockAligned(dimension, limit, window, accounting.Period, at),
            EnforcementKind.SlidingLog => new SlidingLogAllowance(dimension, limit, window, time),
            _ => FixedWindowAllowance.CalendarDays(dimension, limit, accounting.TimeZone, at),
        };
    }

    /// <summary>A wait rounded up to whole ticks and at least one, so that waiting it is always enough.</summary>
    protected static TimeSpan CeilingTicks(double seconds) =>
        TimeSpan.FromTicks(Math.Max(1, (long)Math.Ceiling(Math.Min(seconds * TimeSpan.TicksPerSecond, TimeSpan.MaxValue.Ticks / 2.0))));
}
