using System.Diagnostics;
using System.Globalization;
using System.Text;
using FastBucket.Benchmarks.Reporting;

namespace FastBucket.Benchmarks.Clocks;

/// <summary>
/// The <c>--clocks</c> console mode: each clock's observed resolution (the smallest and typical step
/// between distinct consecutive readings), how late a 1 ms timer really fires, and the extra burst a coarse
/// clock lets a bucket grant.
/// </summary>
/// <remarks>
/// The burst check drains a bucket as fast as one thread can for a while and finds the most tokens granted
/// in any window of <see cref="BurstWindowMilliseconds"/>. The exact law allows capacity + rate × window; on
/// a clock of granularity g the bound is capacity + rate × (window + g).
/// </remarks>
internal static class ClockProbe
{
    private const int BurstCapacity = 100;
    private const int BurstRate = 10_000;
    private const double BurstWindowMilliseconds = 10;

    public static void Run(bool quick, string? outputDirectory, TextWriter log)
    {
        var sampleFor = TimeSpan.FromMilliseconds(quick ? 20 : 300);
        var stopwatch = Resolution(Stopwatch.GetTimestamp, Stopwatch.Frequency, sampleFor);
        var tickCount = Resolution(static () => Environment.TickCount64, 1_000, sampleFor);
        var utcNow = Resolution(static () => DateTime.UtcNow.Ticks, TimeSpan.TicksPerSecond, sampleFor);

        var (delayMedianMs, delayP99Ms) = TimerDelay(quick ? 10 : 250);

        var burstFor = TimeSpan.FromMilliseconds(quick ? 50 : 2_000);
        int exactBurst = MaxGrantsInWindow(TimeProvider.System, burstFor);
        int coarseBurst = MaxGrantsInWindow(CoarseTimeProvider.Instance, burstFor);
        double exactBound = BurstCapacity + (BurstRate * BurstWindowMilliseconds / 1000);
        // The smallest step is the clock's granularity; the median also counts the times this thread was
        // descheduled between reads, which on a loaded machine is longer than the tick.
        double granularityMs = tickCount.SmallestStepMs;
        double coarseBound = BurstCapacity + (BurstRate * (BurstWindowMilliseconds + granularityMs) / 1000);

        var md = new StringBuilder()
            .AppendLine("# Clocks: resolution and the coarse clock's extra burst")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {MachineDescription.Describe()}")
            .AppendLine()
            .AppendLine("Produced by `dotnet run -c Release --project bench/FastBucket.Benchmarks -- --clocks`; the cost of a read is in results/*ClockBenchmarks*.")
            .AppendLine()
            .AppendLine("| Clock | Smallest step (µs) | Typical (median) step (µs) |")
            .AppendLine("|---|---:|---:|")
            .AppendLine(Row("Stopwatch.GetTimestamp (FastBucket's default)", stopwatch))
            .AppendLine(Row("Environment.TickCount64 (CoarseTimeProvider)", tickCount))
            .AppendLine(Row("DateTime.UtcNow", utcNow))
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture,
                $"Timers: `Task.Delay(1 ms)` actually took {delayMedianMs:0.###} ms (median) and {delayP99Ms:0.###} ms (p99). Every limiter that wakes waiters from a timer (FastBucket's queue, the runtime's replenishment timer, a sleep-polling loop) wakes at this granularity, however exact its clock.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture,
                $"Burst check: one thread calls TryAcquire in a loop for {burstFor.TotalSeconds:0.##} s on a bucket of capacity {BurstCapacity} refilled at {BurstRate:N0} tokens/s; most tokens granted in any {BurstWindowMilliseconds} ms window:")
            .AppendLine()
            .AppendLine("| Clock | Most grants in a window | Bound |")
            .AppendLine("|---|---:|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| Exact (Stopwatch) | {exactBurst} | capacity + rate × window = {exactBound:0.#} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| Coarse (TickCount64) | {coarseBurst} | capacity + rate × (window + g) = {coarseBound:0.#} with g = {granularityMs:0.###} ms (the smallest step) |")
            .AppendLine()
            .AppendLine("A coarse clock lets the bucket grant up to rate × g more than the exact law in some window (here up to " +
                string.Create(CultureInfo.InvariantCulture, $"{BurstRate * granularityMs / 1000:0.#}") + " tokens), because its virtual clock stands still for up to g and then jumps.");

        log.WriteLine(md.ToString());
        if (outputDirectory is not null)
        {
            File.WriteAllText(Path.Combine(outputDirectory, "clock-resolution.md"), md.ToString());
            log.WriteLine($"Wrote {Path.Combine(outputDirectory, "clock-resolution.md")}");
        }
    }

    private static string Row(string name, (double SmallestStepMs, double TypicalStepMs) r) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {r.SmallestStepMs * 1000:0.###} | {r.TypicalStepMs * 1000:0.###} |");

    /// <summary>Smallest and median difference between distinct consecutive readings, in milliseconds.</summary>
    private static (double SmallestStepMs, double TypicalStepMs) Resolution(Func<long> read, long frequency, TimeSpan sampleFor)
    {
        var steps = new List<long>();
        long end = Stopwatch.GetTimestamp() + (long)(sampleFor.TotalSeconds * Stopwatch.Frequency);
        long previous = read();
        while (Stopwatch.GetTimestamp() < end && steps.Count < 1_000_000)
        {
            long now = read();
            if (now != previous)
            {
                steps.Add(now - previous);
                previous = now;
            }
        }

        if (steps.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        steps.Sort();
        double toMs = 1000.0 / frequency;
        return (steps[0] * toMs, steps[steps.Count / 2] * toMs);
    }

    /// <summary>Median and p99 of how long <c>Task.Delay(1 ms)</c> really takes, in milliseconds.</summary>
    private static (double MedianMs, double P99Ms) TimerDelay(int samples)
    {
        var took = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            long start = Stopwatch.GetTimestamp();
            Task.Delay(TimeSpan.FromMilliseconds(1)).GetAwaiter().GetResult();
            took[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(took);
        return (took[samples / 2], took[Math.Min(samples - 1, (int)Math.Ceiling(samples * 0.99) - 1)]);
    }

    private static int MaxGrantsInWindow(TimeProvider clock, TimeSpan runFor)
    {
        using var bucket = new TokenBucket(BurstCapacity, BurstRate, clock);
        var grants = new List<long>(BurstCapacity + (int)(BurstRate * runFor.TotalSeconds * 2));
        long end = Stopwatch.GetTimestamp() + (long)(runFor.TotalSeconds * Stopwatch.Frequency);
        long now;
        while ((now = Stopwatch.GetTimestamp()) < end)
        {
            if (bucket.TryAcquire())
            {
                grants.Add(now);
            }
        }

        long window = (long)(BurstWindowMilliseconds / 1000 * Stopwatch.Frequency);
        int best = 0;
        for (int first = 0, last = 0; last < grants.Count; last++)
        {
            while (grants[last] - grants[first] >= window)
            {
                first++;
            }

            best = Math.Max(best, last - first + 1);
        }

        return best;
    }
}
