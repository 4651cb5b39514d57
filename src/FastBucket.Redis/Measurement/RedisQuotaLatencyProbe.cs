using System.Diagnostics;
using FastBucket.Providers;
using FastBucket.Quotas;
using StackExchange.Redis;

namespace FastBucket.Redis;

/// <summary>
/// Measures what a shared quota costs: the latency of one reservation (one script round trip) and the reservations
/// per second with several callers. Limits are set so high that nothing is ever refused: this is the mechanism's cost.
/// </summary>
internal static class RedisQuotaLatencyProbe
{
    /// <summary>One measurement.</summary>
    internal sealed record Result(int Callers, string Shape, long Reservations, TimeSpan Elapsed, double P50Microseconds, double P99Microseconds)
    {
        internal double PerSecond => Reservations / Elapsed.TotalSeconds;
    }

    /// <param name="redis">The connection.</param>
    /// <param name="callers">How many callers reserve at once.</param>
    /// <param name="duration">How long to measure.</param>
    /// <param name="keyPrefix">The quota's key prefix.</param>
    /// <param name="windowing">The quota's windowing: <see langword="null"/> for continuous buckets; the safe shape adds
    /// the burst cells and the window rule's per-second counts to every call.</param>
    internal static async Task<Result> RunAsync(IConnectionMultiplexer redis, int callers, TimeSpan duration, string keyPrefix, FastBucket.Quotas.Windows.QuotaWindowing? windowing = null)
    {
        var limits = new QuotaLimits { RequestsPerMinute = 1_000_000_000, TokensPerMinute = 1_000_000_000_000, RequestsPerDay = 1_000_000_000_000 };
        using var quota = new RedisQuota(redis, new QuotaKey(LlmProvider.OpenAI, "probe"), limits, new RedisQuotaOptions { KeyPrefix = keyPrefix, OperationTimeout = TimeSpan.FromSeconds(5), Windowing = windowing });

        // Warm up: JIT, script load, connection.
        for (int i = 0; i < 200; i++)
        {
            (await quota.ReserveAsync(new RequestCost(1, 100, 100))).Complete(new TokenUsage(90, 50));
        }

        var samples = new List<long>[callers];
        var clock = Stopwatch.StartNew();
        var tasks = new Task[callers];
        for (int c = 0; c < callers; c++)
        {
            var mine = samples[c] = new List<long>(100_000);
            tasks[c] = Task.Run(async () =>
            {
                while (clock.Elapsed < duration)
                {
                    long start = Stopwatch.GetTimestamp();
                    var reservation = await quota.ReserveAsync(new RequestCost(1, 100, 100)).ConfigureAwait(false);
                    mine.Add(Stopwatch.GetTimestamp() - start);
                    reservation.Complete(new TokenUsage(90, 50));
                }
            });
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        await quota.FlushAsync().ConfigureAwait(false);
        var all = samples.SelectMany(s => s).Order().ToArray();
        double ToMicroseconds(long ticks) => ticks * 1e6 / Stopwatch.Frequency;
        return new Result(callers, windowing is null or { ContinuousBucket: true } ? "continuous buckets" : "safe shape (bursts, window rule)", all.Length, elapsed, ToMicroseconds(all[all.Length / 2]), ToMicroseconds(all[(int)(all.Length * 0.99)]));
    }
}
