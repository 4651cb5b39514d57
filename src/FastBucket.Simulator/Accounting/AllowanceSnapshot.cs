namespace FastBucket.Simulator.Accounting;

/// <summary>One dimension's state at a moment, as rate-limit headers report it.</summary>
/// <param name="Dimension">The dimension.</param>
/// <param name="Limit">The limit (also the capacity).</param>
/// <param name="Remaining">The room left, at least 0.</param>
/// <param name="TimeUntilFull">How long until the allowance is fully replenished if nothing more is taken.</param>
internal readonly record struct AllowanceSnapshot(RateLimitDimension Dimension, long Limit, double Remaining, TimeSpan TimeUntilFull)
{
    public long RemainingWhole => (long)Math.Floor(Remaining);

    public long Used => Math.Max(0, Limit - RemainingWhole);
}
