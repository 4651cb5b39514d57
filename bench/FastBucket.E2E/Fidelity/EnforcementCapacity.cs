using FastBucket.Simulator.Accounting;

namespace FastBucket.E2E.Fidelity;

/// <summary>
/// What one dimension's enforcement admits over a run that starts with the account full, and the reverse: the
/// shortest run in which it admits a given amount. Token bucket: limit + rate × t; quantized: one period's worth +
/// rate × t; fixed windows of P: a window's share for each window begun (the run starting <c>offset</c> seconds into
/// a clock-aligned window);
/// sliding log: the limit for each window begun; calendar day: the day's limit (runs within one day).
/// </summary>
internal static class EnforcementCapacity
{
    public static double Allowed(long limit, TimeSpan window, DimensionAccounting accounting, double seconds, double offset)
    {
        double rate = limit / window.TotalSeconds;
        double period = accounting.Period.TotalSeconds;
        return accounting.Enforcement switch
        {
            EnforcementKind.TokenBucket => limit + (rate * seconds),
            EnforcementKind.Quantized => Math.Min(limit, rate * period) + (rate * seconds),
            EnforcementKind.FixedWindow => PerWindow(limit, window, period) * (Math.Floor((offset % period + seconds) / period) + 1),
            EnforcementKind.SlidingLog => limit * (Math.Floor(seconds / window.TotalSeconds) + 1),
            _ => limit,
        };
    }

    public static double ShortestSeconds(long limit, TimeSpan window, DimensionAccounting accounting, double consumed, double offset)
    {
        if (consumed <= 0)
        {
            return 0;
        }

        double rate = limit / window.TotalSeconds;
        double period = accounting.Period.TotalSeconds;
        return accounting.Enforcement switch
        {
            EnforcementKind.TokenBucket => Math.Max(0, (consumed - limit) / rate),
            EnforcementKind.Quantized => Math.Max(0, (consumed - Math.Min(limit, rate * period)) / rate),
            EnforcementKind.FixedWindow => Math.Max(0, ((Math.Ceiling(consumed / PerWindow(limit, window, period)) - 1) * period) - (offset % period)),
            EnforcementKind.SlidingLog => (Math.Ceiling(consumed / limit) - 1) * window.TotalSeconds,
            _ => consumed <= limit ? 0 : double.PositiveInfinity,
        };
    }

    private static double PerWindow(long limit, TimeSpan window, double period) =>
        Math.Max(1, Math.Floor((limit * period / window.TotalSeconds) + 1e-9));
}
