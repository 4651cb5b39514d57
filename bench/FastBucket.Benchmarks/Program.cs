using BenchmarkDotNet.Running;
using FastBucket.Benchmarks.Clocks;
using FastBucket.Benchmarks.Configuration;
using FastBucket.Benchmarks.Reporting;
using FastBucket.Benchmarks.Smoke;
using FastBucket.Benchmarks.WaitingPath;

// Modes:
//   --smoke              every benchmark once, in-process, plus the probes in quick form; non-zero exit on failure (CI)
//   --lateness [--quick] waiting-path wake lateness against the ideal schedule -> perf-results/waiting-path-lateness.{md,csv}
//   --clocks [--quick]   clock resolution and the coarse clock's extra burst -> perf-results/clock-resolution.md
//   anything else        BenchmarkDotNet (e.g. --filter '*'); results -> perf-results/results/
if (args.Contains("--smoke"))
{
    return SmokeRun.Run(Console.Out);
}

bool quick = args.Contains("--quick");
if (args.Contains("--lateness"))
{
    WakeLatenessProbe.Run(quick, quick ? null : PerfResultsDirectory.Locate(), Console.Out);
    return 0;
}

if (args.Contains("--clocks"))
{
    ClockProbe.Run(quick, quick ? null : PerfResultsDirectory.Locate(), Console.Out);
    return 0;
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfigs).Assembly)
    .Run(args, BenchmarkConfigs.Full(PerfResultsDirectory.Locate()));
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
