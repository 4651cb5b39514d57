using System.CommandLine;
using System.Globalization;
using FastBucket.Cli.Batch;
using FastBucket.Cli.Dashboard;
using Spectre.Console;

namespace FastBucket.Cli.Commands;

/// <summary>Runs a batch with its progress view and prints its summary: the part <c>run</c> and <c>demo</c> share.</summary>
internal static class BatchExecution
{
    public static async Task<BatchSummary> RunAsync(
        BatchRunOptions options,
        IAsyncEnumerable<BatchInputLine> lines,
        Action<BatchStatistics>? countTotal,
        string title,
        ParseResult parse,
        ProgressOptions progress,
        CancellationToken cancellationToken)
    {
        bool live = !parse.GetValue(progress.NoLive);
        bool json = parse.GetValue(progress.Json);
        var progressInterval = TimeSpan.FromSeconds(parse.GetValue(progress.Interval));
        using var interruption = new ConsoleInterruption(cancellationToken);
        await using var runner = new BatchRunner(options);
        countTotal?.Invoke(runner.Statistics);
        var run = runner.RunAsync(lines, interruption.Stop, interruption.Abort);
        var view = new BatchProgressView(runner, title);
        await view.ShowAsync(run, live && BatchProgressView.CanRenderLive, progressInterval).ConfigureAwait(false);
        var summary = await run.ConfigureAwait(false);

        if (runner.Repair is { } repair && (repair.CorruptDropped > 0 || repair.DuplicatesDropped > 0 || repair.FailedDropped > 0))
        {
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Output repaired before resuming: {repair.Completed.Count} done earlier, {repair.FailedDropped} failed results to retry, {repair.CorruptDropped} torn or corrupt lines dropped, {repair.DuplicatesDropped} duplicates dropped.")).ConfigureAwait(false);
        }

        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            summary.WriteJson(stdout);
            stdout.Write("\n"u8);
        }
        else
        {
            Print(summary);
        }

        return summary;
    }

    private static void Print(BatchSummary s)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn(new TableColumn("").RightAligned()).HideHeaders();
        table.AddRow("requests", $"{s.Requests:N0}");
        table.AddRow("succeeded", $"[green]{s.Succeeded:N0}[/]");
        table.AddRow("failed", s.Failed == 0 ? "0" : $"[red]{s.Failed:N0}[/]");
        if (s.SkippedAlreadyDone > 0)
        {
            table.AddRow("skipped (done by an earlier run)", $"{s.SkippedAlreadyDone:N0}");
        }

        table.AddRow("429s received", s.RateLimited429 == 0 ? "[green]0[/]" : $"[yellow]{s.RateLimited429:N0}[/]");
        table.AddRow("retries", $"{s.Retries:N0}");
        table.AddRow("average RPM / limit (from a full bucket)", $"{s.AchievedRpm:N0} / {Limit(s.LimitRpm)}");
        table.AddRow("average TPM / limit (from a full bucket)", $"{s.AchievedTpm:N0} / {Limit(s.LimitTpm)}");
        if (s.BindingLimit is not null)
        {
            table.AddRow("binding limit used", $"{s.BindingLimit}: {s.BindingLimitShare * 100:0.0}%");
        }

        table.AddRow("wait for quota p50 / p99", $"{s.WaitP50Ms:N0} ms / {s.WaitP99Ms:N0} ms");
        table.AddRow("wall time", $"{s.WallSeconds:0.0} s");
        table.AddRow("results", Markup.Escape(s.OutputFile));
        AnsiConsole.Write(table);
    }

    private static string Limit(long? limit) => limit is long l ? l.ToString("N0", CultureInfo.InvariantCulture) : "-";
}
