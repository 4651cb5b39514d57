using System.CommandLine;
using System.Diagnostics;
using FastBucket.Cli.Dashboard;
using Microsoft.Diagnostics.NETCore.Client;
using Spectre.Console;

namespace FastBucket.Cli.Commands;

/// <summary>
/// <c>fastbucket monitor &lt;pid or name&gt;</c>: attaches to a running .NET process that uses FastBucket and shows its
/// quotas live (grants, waits, 429s, retries, refusals, each limited dimension's level), read from its FastBucket meter
/// over EventPipe, as <c>dotnet-counters</c> reads counters. Nothing needs to be enabled in the watched process.
/// </summary>
internal static class MonitorCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("process") { Description = "The process id, or the name of the one .NET process to watch (for 'dotnet app.dll', also 'app')." };
        var interval = new Option<double>("--interval") { Description = "Seconds between updates.", DefaultValueFactory = _ => 1.0 };
        interval.Validators.Add(r => { if (r.GetValueOrDefault<double>() is < 0.1 or > 3600) r.AddError("--interval must be from 0.1 to 3600 seconds."); });
        var once = new Option<bool>("--once") { Description = "Print the first update that shows a quota, then exit (for scripts and tests)." };
        var json = new Option<bool>("--json") { Description = "One JSON object per update on standard output instead of the table." };
        var noLive = new Option<bool>("--no-live") { Description = "Plain lines instead of the live table, even on a terminal." };
        var timeout = new Option<double>("--timeout") { Description = "With --once: seconds to wait for a quota before giving up (exit code 1).", DefaultValueFactory = _ => 60.0 };
        timeout.Validators.Add(r => { if (r.GetValueOrDefault<double>() is < 1 or > 86_400) r.AddError("--timeout must be from 1 to 86400 seconds."); });

        var command = new Command("monitor", "Watch the FastBucket quotas of a running .NET process live (EventPipe; nothing to enable in the process).")
        {
            target, interval, once, json, noLive, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!MonitorTarget.TryResolve(parse.GetValue(target)!, out int processId, out string? error))
            {
                await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            var period = TimeSpan.FromSeconds(parse.GetValue(interval));
            var state = new QuotaMonitorState(period);
            MeterEventPipeSession session;
            try
            {
                session = await MeterEventPipeSession.StartAsync(processId, period, state, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ServerNotAvailableException or UnsupportedCommandException or ServerErrorException or TimeoutException or IOException)
            {
                await Console.Error.WriteLineAsync($"monitor: cannot attach to process {processId}: {ex.Message} (is it a .NET process of this user, with diagnostics enabled?)").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            await using (session.ConfigureAwait(false))
            {
                var mode = parse.GetValue(json) ? Mode.Json
                    : parse.GetValue(noLive) || parse.GetValue(once) || Console.IsOutputRedirected ? Mode.Plain
                    : Mode.Live;
                return await ShowAsync(processId, state, session, period, mode, parse.GetValue(once), TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken).ConfigureAwait(false);
            }
        });
        return command;
    }

    private static async Task<int> ShowAsync(
        int processId, QuotaMonitorState state, MeterEventPipeSession session, TimeSpan period, Mode mode, bool once, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (mode == Mode.Live)
        {
            var console = AnsiConsole.Console;
            await console.Live(QuotaMonitorView.Table(processId, state.Snapshot(), session.Error)).AutoClear(false).StartAsync(async context =>
            {
                while (await NextAsync(session, period, cancellationToken).ConfigureAwait(false))
                {
                    context.UpdateTarget(QuotaMonitorView.Table(processId, state.Snapshot(), session.Error));
                }
            }).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        int? seenAfter = null;
        while (await NextAsync(session, period, cancellationToken).ConfigureAwait(false))
        {
            int completed = session.CompletedCollections; // read before the snapshot, which then holds at least that much
            var rows = state.Snapshot();
            if (rows.Any(r => r.Available.Count > 0))
            {
                seenAfter ??= completed;
            }

            // A quota first seen mid-interval may lack the dimensions reported later in that interval: --once waits
            // until a whole interval has been read since, so its one update shows every limited dimension.
            bool complete = seenAfter is { } mark && completed > mark;
            if (once && !complete)
            {
                if (clock.Elapsed > timeout)
                {
                    await Console.Error.WriteLineAsync($"monitor: no FastBucket quota seen in process {processId} within {timeout.TotalSeconds:0} s{(session.Error is { } e ? ": " + e : ".")}").ConfigureAwait(false);
                    return ExitCodes.SomeFailed;
                }

                continue;
            }

            if (mode == Mode.Json)
            {
                await Console.Out.WriteLineAsync(QuotaMonitorView.Json(processId, clock.Elapsed, rows)).ConfigureAwait(false);
            }
            else
            {
                foreach (string line in QuotaMonitorView.PlainLines(clock.Elapsed, rows))
                {
                    await Console.Out.WriteLineAsync(line).ConfigureAwait(false);
                }
            }

            await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (once)
            {
                return ExitCodes.Success;
            }
        }

        if (once)
        {
            await Console.Error.WriteLineAsync($"monitor: process {processId} ended before a FastBucket quota was seen.").ConfigureAwait(false);
            return ExitCodes.SomeFailed;
        }

        return ExitCodes.Success;
    }

    /// <summary>Waits one period; false once the process has exited or the user pressed Ctrl-C.</summary>
    private static async Task<bool> NextAsync(MeterEventPipeSession session, TimeSpan period, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAny(session.Completion, Task.Delay(period, cancellationToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return !session.Completion.IsCompleted && !cancellationToken.IsCancellationRequested;
    }

    private enum Mode
    {
        Live,
        Plain,
        Json,
    }
}
