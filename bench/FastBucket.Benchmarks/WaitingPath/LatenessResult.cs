using System.Globalization;

namespace FastBucket.Benchmarks.WaitingPath;

/// <summary>One limiter's run in the wake-lateness probe.</summary>
/// <param name="Limiter">Which limiter.</param>
/// <param name="TokensPerSecond">The configured rate.</param>
/// <param name="Capacity">The configured burst.</param>
/// <param name="Waiters">Concurrent waiters.</param>
/// <param name="Acquires">Acquires measured (all waiters together).</param>
/// <param name="ElapsedSeconds">From the empty bucket to the last completion.</param>
/// <param name="LatenessMilliseconds">Each completion's lateness against the ideal schedule, sorted ascending.</param>
/// <param name="SteadyBytesPerAcquire">Bytes allocated per acquire between 25% and 75% of the run (all threads).</param>
/// <param name="SteadyGen0Collections">Gen-0 collections in that window.</param>
internal sealed record LatenessResult(
    WaitingLimiter Limiter,
    int TokensPerSecond,
    int Capacity,
    int Waiters,
    int Acquires,
    double ElapsedSeconds,
    double[] LatenessMilliseconds,
    double SteadyBytesPerAcquire,
    int SteadyGen0Collections)
{
    /// <summary>Acquires per second achieved, as a fraction of the configured rate.</summary>
    public double RateAchieved => Acquires / ElapsedSeconds / TokensPerSecond;

    public double Percentile(double p)
    {
        var sorted = LatenessMilliseconds;
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        // Nearest rank.
        int rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static string CsvHeader =>
        "limiter,tokens_per_second,capacity,waiters,acquires,elapsed_s,rate_achieved,lateness_min_ms,lateness_p50_ms,lateness_p90_ms,lateness_p99_ms,lateness_p999_ms,lateness_max_ms,steady_bytes_per_acquire,steady_gen0_collections";

    public string ToCsv() => string.Create(CultureInfo.InvariantCulture,
        $"{Limiter},{TokensPerSecond},{Capacity},{Waiters},{Acquires},{ElapsedSeconds:F4},{RateAchieved:F4},{LatenessMilliseconds[0]:F4},{Percentile(50):F4},{Percentile(90):F4},{Percentile(99):F4},{Percentile(99.9):F4},{LatenessMilliseconds[^1]:F4},{SteadyBytesPerAcquire:F2},{SteadyGen0Collections}");

    public string ToMarkdownRow() => string.Create(CultureInfo.InvariantCulture,
        $"| {Limiter} | {Capacity:N0} | {RateAchieved * 100:F1} % | {LatenessMilliseconds[0]:F3} | {Percentile(50):F3} | {Percentile(90):F3} | {Percentile(99):F3} | {Percentile(99.9):F3} | {LatenessMilliseconds[^1]:F3} | {SteadyBytesPerAcquire:F1} | {SteadyGen0Collections} |");
}
