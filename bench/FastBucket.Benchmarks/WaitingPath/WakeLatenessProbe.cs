using System.Diagnostics;
using System.Globalization;
using System.Text;
using FastBucket.Benchmarks.Reporting;

namespace FastBucket.Benchmarks.WaitingPath;

/// <summary>
/// The <c>--lateness</c> console mode: how late each waiter is woken compared with the ideal schedule.
/// </summary>
/// <remarks>
/// <para>Each run starts from an empty bucket at time t0 with W waiters, each doing K acquires back to back.
/// At rate r the ideal limiter completes the j-th acquire (0-based, in completion order) at
/// <c>t0 + (j + 1) / r</c>: no earlier, because the tokens are not there, and no later, because they are.
/// Lateness is the measured completion time (when the awaiting code resumes) minus that. It includes the
/// timer's granularity, the thread pool's dispatch and any shortfall in throughput (a limiter that loses
/// tokens falls further behind the schedule with every acquire); it can be negative for a limiter that
/// hands out tokens early, in chunks.</para>
/// <para>Steady-state allocation is read from <see cref="GC.GetTotalAllocatedBytes(bool)"/> (all threads)
/// between 25% and 75% of the run, after a warm-up run, so pools are full and JIT is done.</para>
/// </remarks>
internal static class WakeLatenessProbe
{
    /// <summary>Runs the probe; writes waiting-path-lateness.md and .csv under <paramref name="outputDirectory"/> unless null.</summary>
    /// <returns>The results, for the smoke run to check.</returns>
    public static IReadOnlyList<LatenessResult> Run(bool quick, string? outputDirectory, TextWriter log)
    {
        int rate = 100_000;
        int waiters = quick ? 100 : 1_000;
        int acquiresPerWaiter = quick ? 5 : 100;
        int[] capacities = quick ? [1_000] : [1_000, 100];

        var results = new List<LatenessResult>();
        foreach (int capacity in capacities)
        {
            foreach (var limiter in Enum.GetValues<WaitingLimiter>())
            {
                var result = Measure(limiter, rate, capacity, waiters, acquiresPerWaiter, warmUp: !quick);
                results.Add(result);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{limiter,-20} capacity {capacity,5}: {result.RateAchieved * 100,6:F1} % of rate, lateness p50 {result.Percentile(50),7:F3} ms, p99 {result.Percentile(99),7:F3} ms, max {result.LatenessMilliseconds[^1],8:F3} ms, {result.SteadyBytesPerAcquire,7:F1} B/acquire steady"));
            }
        }

        if (outputDirectory is not null)
        {
            Write(results, outputDirectory);
            log.WriteLine($"Wrote {Path.Combine(outputDirectory, "waiting-path-lateness.md")} and .csv");
        }

        return results;
    }

    internal static LatenessResult Measure(WaitingLimiter limiter, int rate, int capacity, int waiters, int acquiresPerWaiter, bool warmUp)
    {
        using var rig = new WaitingPathRig(limiter, rate, capacity, waiters);
        if (warmUp)
        {
            rig.Run(Math.Max(1, acquiresPerWaiter / 10));
        }

        int total = waiters * acquiresPerWaiter;
        var completions = new long[total];
        rig.ResetCompleted();
        using var sampler = new SteadyStateSampler(rig, total);
        long start = rig.Run(acquiresPerWaiter, completions);
        sampler.Join();

        double ticksPerToken = (double)Stopwatch.Frequency / rate;
        var lateness = new double[total];
        for (int j = 0; j < total; j++)
        {
            double ideal = start + ((j + 1) * ticksPerToken);
            lateness[j] = (completions[j] - ideal) * 1000.0 / Stopwatch.Frequency;
        }

        Array.Sort(lateness);
        double elapsed = (double)(completions.Max() - start) / Stopwatch.Frequency;
        return new LatenessResult(limiter, rate, capacity, waiters, total, elapsed, lateness, sampler.BytesPerAcquire, sampler.Gen0Collections);
    }

    private static void Write(IReadOnlyList<LatenessResult> results, string directory)
    {
        var csv = new StringBuilder().AppendLine(LatenessResult.CsvHeader);
        foreach (var result in results)
        {
            csv.AppendLine(result.ToCsv());
        }

        File.WriteAllText(Path.Combine(directory, "waiting-path-lateness.csv"), csv.ToString());

        var first = results[0];
        var md = new StringBuilder()
            .AppendLine("# Waiting path: wake lateness against the ideal schedule")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {MachineDescription.Describe()}")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture,
                $"{first.Waiters:N0} concurrent async waiters, {first.Acquires / first.Waiters} acquires each ({first.Acquires:N0} in all), rate {first.TokensPerSecond:N0} tokens/s, from an empty bucket. ")
            .AppendLine("The j-th completion is ideally at t0 + (j+1)/rate; lateness = measured resume time − ideal. ")
            .AppendLine("Rate achieved = acquires ÷ elapsed ÷ rate. Bytes per acquire: all threads, between 25% and 75% of the run, after a warm-up run.")
            .AppendLine("The runtime limiter is replenished every 1 ms (rate/1000 tokens per period); the sleep-polling limiter polls with Task.Delay(1 ms).")
            .AppendLine()
            .AppendLine("Produced by `dotnet run -c Release --project bench/FastBucket.Benchmarks -- --lateness`.")
            .AppendLine()
            .AppendLine("| Limiter | Capacity | Rate achieved | Lateness min (ms) | p50 (ms) | p90 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | Bytes/acquire (steady) | Gen0 GCs (steady) |")
            .AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var result in results)
        {
            md.AppendLine(result.ToMarkdownRow());
        }

        File.WriteAllText(Path.Combine(directory, "waiting-path-lateness.md"), md.ToString());
    }

    /// <summary>Reads allocation and GC counts when the run passes 25% and 75% of its acquires.</summary>
    private sealed class SteadyStateSampler : IDisposable
    {
        private readonly WaitingPathRig _rig;
        private readonly int _total;
        private readonly Thread _thread;
        private volatile bool _stop;

        public SteadyStateSampler(WaitingPathRig rig, int total)
        {
            _rig = rig;
            _total = total;
            _thread = new Thread(Sample) { IsBackground = true, Name = "steady-state-sampler" };
            _thread.Start();
        }

        public double BytesPerAcquire { get; private set; } = double.NaN;

        public int Gen0Collections { get; private set; }

        public void Join() => _thread.Join();

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }

        private void Sample()
        {
            if (!WaitFor(_total / 4, out long bytes0, out int count0, out int gen0))
            {
                return;
            }

            if (!WaitFor(_total * 3 / 4, out long bytes1, out int count1, out int gen1))
            {
                return;
            }

            BytesPerAcquire = count1 > count0 ? (double)(bytes1 - bytes0) / (count1 - count0) : double.NaN;
            Gen0Collections = gen1 - gen0;
        }

        private bool WaitFor(int completed, out long bytes, out int count, out int gen0)
        {
            while (!_stop && _rig.Completed < completed)
            {
                Thread.Sleep(1);
            }

            bytes = GC.GetTotalAllocatedBytes(precise: true);
            count = _rig.Completed;
            gen0 = GC.CollectionCount(0);
            return !_stop;
        }
    }
}
