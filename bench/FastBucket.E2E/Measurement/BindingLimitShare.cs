namespace FastBucket.E2E.Measurement;

/// <summary>
/// What a run consumed of a per-minute limit, as a share of what that limit allowed over the run: a full bucket at the
/// start plus the refill over the wall time, <c>consumed / (limit + limit / 60 s × wall seconds)</c> (the CLI's
/// <c>binding_limit_share</c>).
/// </summary>
internal static class BindingLimitShare
{
    public static double Of(long consumed, long perMinute, double wallSeconds) =>
        consumed / (perMinute + (perMinute / 60.0 * wallSeconds));
}
