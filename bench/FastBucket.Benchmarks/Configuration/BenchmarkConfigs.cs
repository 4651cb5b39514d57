using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using Perfolizer.Metrology;

namespace FastBucket.Benchmarks.Configuration;

/// <summary>The two ways the suites run: the measured run that writes perf-results/, and the CI smoke run.</summary>
internal static class BenchmarkConfigs
{
    /// <summary>The id of the smoke run's job, by which its cases are told from the suites' own.</summary>
    public const string SmokeJobId = "Smoke";

    /// <summary>
    /// Times in nanoseconds and sizes in bytes everywhere, so that the CSV columns are plain numbers the chart
    /// script can read without parsing units.
    /// </summary>
    public static SummaryStyle Style { get; } = new(
        CultureInfo.InvariantCulture,
        printUnitsInHeader: true,
        sizeUnit: SizeUnit.B,
        timeUnit: TimeUnit.Nanosecond,
        printUnitsInContent: false);

    /// <summary>
    /// The measured run. Jobs come from each suite's attribute (<see cref="MicroJobAttribute"/> and friends);
    /// the diagnosers from the suites' [MemoryDiagnoser] and [ThreadingDiagnoser].
    /// </summary>
    public static IConfig Full(string artifactsPath) => ManualConfig.CreateEmpty()
        .AddColumnProvider(DefaultColumnProviders.Instance)
        .AddColumn(StatisticColumn.OperationsPerSecond)
        .AddLogger(ConsoleLogger.Default)
        .AddExporter(MarkdownExporter.GitHub)
        .AddExporter(new CsvExporter(CsvSeparator.Comma, Style))
        .WithSummaryStyle(Style)
        .WithArtifactsPath(artifactsPath)
        // The default two minutes are not enough to build the generated project on a loaded two-core machine.
        .WithBuildTimeout(TimeSpan.FromMinutes(10))
        .WithOptions(ConfigOptions.DisableLogFile);

    /// <summary>
    /// The smoke run: every benchmark of every suite once or twice, in this process (no build, no child
    /// process), under the Dry job (the smoke run drops the cases of the suites' own jobs). It checks that each benchmark sets up,
    /// runs and passes its own sanity checks, not how fast it is; nothing is exported.
    /// </summary>
    public static IConfig Smoke() => ManualConfig.CreateEmpty()
        .AddColumnProvider(DefaultColumnProviders.Instance)
        .AddLogger(ConsoleLogger.Default)
        .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId(SmokeJobId))
        .WithUnionRule(ConfigUnionRule.AlwaysUseGlobal)
        .WithSummaryStyle(Style)
        .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "fastbucket-bench-smoke"))
        .WithOptions(ConfigOptions.DisableLogFile);
}
