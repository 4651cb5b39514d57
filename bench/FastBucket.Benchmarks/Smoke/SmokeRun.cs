using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using FastBucket.Benchmarks.Clocks;
using FastBucket.Benchmarks.Configuration;
using FastBucket.Benchmarks.WaitingPath;

namespace FastBucket.Benchmarks.Smoke;

/// <summary>
/// The <c>--smoke</c> mode, for CI: every benchmark of every suite run once in this process under BDN's
/// Dry job (set-up, sanity checks, one invocation, clean-up), then the console probes in quick form.
/// Exits non-zero if anything failed, so a refactoring that breaks a benchmark breaks the build.
/// </summary>
internal static class SmokeRun
{
    public static int Run(TextWriter log)
    {
        var stopwatch = Stopwatch.StartNew();
        var failures = new List<string>();
        var summaries = BenchmarkRunner.Run(SmokeCases());
        int cases = 0;
        foreach (var summary in summaries)
        {
            if (summary.HasCriticalValidationErrors)
            {
                failures.AddRange(summary.ValidationErrors.Select(e => $"{summary.Title}: {e.Message}"));
            }

            foreach (var report in summary.Reports)
            {
                cases++;
                if (!report.Success)
                {
                    failures.Add($"{report.BenchmarkCase.DisplayInfo}: failed");
                }
            }

            int missing = summary.BenchmarksCases.Length - summary.Reports.Length;
            if (missing > 0)
            {
                failures.Add($"{summary.Title}: {missing} benchmark case(s) produced no report");
            }
        }

        if (cases == 0)
        {
            failures.Add("no benchmark ran");
        }

        try
        {
            foreach (var result in WakeLatenessProbe.Run(quick: true, outputDirectory: null, log))
            {
                if (result.Acquires == 0 || double.IsNaN(result.Percentile(50)))
                {
                    failures.Add($"lateness probe, {result.Limiter}: no completions measured");
                }
            }

            ClockProbe.Run(quick: true, outputDirectory: null, log);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            failures.Add("console probes: " + e.Message);
        }

        log.WriteLine();
        foreach (var failure in failures)
        {
            log.WriteLine("SMOKE FAILURE: " + failure);
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Smoke: {cases} benchmark cases, {failures.Count} failure(s), {stopwatch.Elapsed.TotalSeconds:F0} s."));
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// Every benchmark of every suite under the smoke job only. The suites' own job attributes are not
    /// overridden by a global job (BDN adds them alongside it), so their cases are dropped here; otherwise
    /// the smoke run would also do the full measured run.
    /// </summary>
    private static BenchmarkRunInfo[] SmokeCases()
    {
        var config = BenchmarkConfigs.Smoke();
        return typeof(SmokeRun).Assembly.GetExportedTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkAttribute), inherit: false)))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => BenchmarkConverter.TypeToBenchmarks(t, config))
            .Select(info => new BenchmarkRunInfo(
                info.BenchmarksCases.Where(c => c.Job.Id == BenchmarkConfigs.SmokeJobId).ToArray(), info.Type, info.Config))
            .ToArray();
    }
}
