using System.Globalization;
using FastBucket.Cli.Batch;
using FastBucket.Quotas;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace FastBucket.Cli.Dashboard;

/// <summary>
/// Shows a running batch: a live Spectre.Console dashboard on a terminal (one bar per limited dimension, counters,
/// ETA), or one plain progress line every few seconds when standard error is redirected or <c>--no-live</c> is given.
/// Everything goes to standard error, so standard output holds only the summary.
/// </summary>
internal sealed class BatchProgressView
{
    private readonly BatchRunner _runner;
    private readonly string _title;
    private readonly ThroughputWindow _window = new();

    public BatchProgressView(BatchRunner runner, string title)
    {
        _runner = runner;
        _title = title;
    }

    public static bool CanRenderLive => !Console.IsErrorRedirected && !Console.IsOutputRedirected;

    public Task ShowAsync(Task run, bool live, TimeSpan plainInterval) =>
        live ? ShowLiveAsync(run) : ShowPlainAsync(run, plainInterval);

    private async Task ShowLiveAsync(Task run)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Live(Render()).AutoClear(false).StartAsync(async context =>
        {
            while (!run.IsCompleted)
            {
                await Task.WhenAny(run, Task.Delay(250)).ConfigureAwait(false);
                context.UpdateTarget(Render());
            }
        }).ConfigureAwait(false);
    }

    private async Task ShowPlainAsync(Task run, TimeSpan interval)
    {
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(interval)).ConfigureAwait(false);
            await Console.Error.WriteLineAsync(PlainLine()).ConfigureAwait(false);
        }
    }

    internal string PlainLine()
    {
        var stats = _runner.Statistics;
        var rates = _window.Update(_runner.Elapsed, stats);
        var (queued, inFlight) = QueueState();
        return string.Create(CultureInfo.InvariantCulture,
            $"[{_runner.Elapsed.TotalSeconds,6:0.0}s] done {stats.Done}/{TotalText(stats)} ok {stats.Succeeded} failed {stats.Failed} " +
            $"in-flight {inFlight} queued {queued} 429s {_runner.RateLimited} retries {_runner.Retries} " +
            $"last-minute requests {rates.Requests:0} tokens {rates.Tokens:0} eta {Eta(stats, rates)}");
    }

    private IRenderable Render()
    {
        var stats = _runner.Statistics;
        var rates = _window.Update(_runner.Elapsed, stats);
        var (queued, inFlight) = QueueState();

        var limits = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(_title)}[/]")
            .AddColumn("quota").AddColumn("limit").AddColumn(new TableColumn("used, last minute").RightAligned())
            .AddColumn("use of limit").AddColumn(new TableColumn("available now").RightAligned());
        foreach (var quota in _runner.Quotas.Quotas)
        {
            var l = quota.Limits;
            AddRow(limits, quota, "RPM", l.RequestsPerMinute, rates.Requests, QuotaDimension.RequestsPerMinute);
            AddRow(limits, quota, "TPM", l.TokensPerMinute, rates.Tokens, QuotaDimension.TokensPerMinute);
            AddRow(limits, quota, "input TPM", l.InputTokensPerMinute, rates.InputTokens, QuotaDimension.InputTokensPerMinute);
            AddRow(limits, quota, "output TPM", l.OutputTokensPerMinute, rates.OutputTokens, QuotaDimension.OutputTokensPerMinute);
            AddRow(limits, quota, "RPD", l.RequestsPerDay, null, QuotaDimension.RequestsPerDay);
        }

        var counters = new Grid().AddColumn().AddColumn().AddColumn().AddColumn();
        counters.AddRow("done", $"{stats.Done}/{TotalText(stats)}", "elapsed", $"{_runner.Elapsed.TotalSeconds:0.0}s");
        counters.AddRow("succeeded", $"[green]{stats.Succeeded}[/]", "failed", stats.Failed == 0 ? "0" : $"[red]{stats.Failed}[/]");
        counters.AddRow("in flight", inFlight.ToString(CultureInfo.InvariantCulture), "queued", queued.ToString(CultureInfo.InvariantCulture));
        counters.AddRow("429s", _runner.RateLimited == 0 ? "[green]0[/]" : $"[yellow]{_runner.RateLimited}[/]", "retries", _runner.Retries.ToString(CultureInfo.InvariantCulture));
        counters.AddRow("skipped (done before)", stats.Skipped.ToString(CultureInfo.InvariantCulture), "ETA", Eta(stats, rates));
        return new Rows(limits, counters);
    }

    private static void AddRow(Table table, ILlmQuota quota, string name, long? limit, double? rate, QuotaDimension dimension)
    {
        if (limit is not long value)
        {
            return;
        }

        double share = rate is double r ? Math.Clamp(r / value, 0, 1) : 0;
        const int width = 24;
        int filled = (int)Math.Round(share * width);
        string bar = $"[green]{new string('█', filled)}[/][grey]{new string('░', width - filled)}[/] {share * 100,3:0}%";
        table.AddRow(
            Markup.Escape($"{quota.Key} {name}"),
            value.ToString("N0", CultureInfo.InvariantCulture),
            rate is double x ? x.ToString("N0", CultureInfo.InvariantCulture) : "-",
            rate is null ? "-" : bar,
            quota.Available(dimension)?.ToString("N0", CultureInfo.InvariantCulture) ?? "-");
    }

    private (long Queued, long InFlight) QueueState()
    {
        long queued = 0;
        long inFlight = 0;
        foreach (var quota in _runner.Quotas.Quotas)
        {
            queued += quota.QueuedCount;
            inFlight += quota.InFlight;
        }

        return (queued, inFlight);
    }

    private static string TotalText(BatchStatistics stats) =>
        stats.Total < 0 ? "?" : (stats.Total - stats.Skipped).ToString(CultureInfo.InvariantCulture);

    private static string Eta(BatchStatistics stats, ThroughputWindow.Rates rates)
    {
        if (stats.Total < 0 || rates.RequestsPerMinute <= 0)
        {
            return "-";
        }

        double left = stats.Total - stats.Skipped - stats.Done;
        return left <= 0 ? "0s" : TimeSpan.FromMinutes(left / rates.RequestsPerMinute).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);
    }
}
