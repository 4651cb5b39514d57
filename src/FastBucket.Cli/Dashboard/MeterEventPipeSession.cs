using System.Diagnostics.Tracing;
using System.Globalization;
using FastBucket.Telemetry;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace FastBucket.Cli.Dashboard;

/// <summary>
/// Attaches to a running .NET process over its diagnostics port and listens to its FastBucket meter through the
/// runtime's <c>System.Diagnostics.Metrics</c> EventSource (what <c>dotnet-counters</c> does), feeding a
/// <see cref="QuotaMonitorState"/> until disposed or until the process exits.
/// </summary>
internal sealed class MeterEventPipeSession : IAsyncDisposable
{
    private const string MetricsEventSource = "System.Diagnostics.Metrics";

    // Messages (errors such as "another session is listening") | TimeSeriesValues | InstrumentPublishing.
    private const long Keywords = 0x1 | 0x2 | 0x4;

    private readonly EventPipeSession _session;
    private readonly Task _processing;
    private int _completedCollections;

    private MeterEventPipeSession(EventPipeSession session, QuotaMonitorState state)
    {
        _session = session;
        _processing = Task.Factory.StartNew(() => Process(state), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The last error the watched process's metrics EventSource reported, if any.</summary>
    public string? Error { get; private set; }

    /// <summary>
    /// Collection intervals whose every value has been read: the runtime ends each interval's values with a
    /// <c>CollectionStop</c> event (<c>Collection/Stop</c> to TraceEvent), in stream order, so a count that moved past a reading means a whole interval since.
    /// </summary>
    public int CompletedCollections => Volatile.Read(ref _completedCollections);

    /// <summary>Completes when the event stream ends (the process exited, or the session was stopped).</summary>
    public Task Completion => _processing;

    /// <summary>Starts listening.</summary>
    /// <exception cref="ServerNotAvailableException">The process has no diagnostics port (not .NET, exited, or diagnostics disabled).</exception>
    public static async Task<MeterEventPipeSession> StartAsync(int processId, TimeSpan interval, QuotaMonitorState state, CancellationToken cancellationToken)
    {
        var client = new DiagnosticsClient(processId);
        string sessionId = Guid.NewGuid().ToString("N");
        var arguments = new Dictionary<string, string>
        {
            ["SessionId"] = sessionId,
            ["ClientId"] = sessionId,
            ["Metrics"] = FastBucketMetrics.MeterName,
            ["RefreshInterval"] = interval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            ["MaxTimeSeries"] = "1000",
            ["MaxHistograms"] = "100",
        };
        var provider = new EventPipeProvider(MetricsEventSource, EventLevel.Informational, Keywords, arguments);
        var session = await client.StartEventPipeSessionAsync(provider, requestRundown: false, circularBufferMB: 16, cancellationToken).ConfigureAwait(false);
        return new MeterEventPipeSession(session, state);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _session.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or IOException or TimeoutException or UnsupportedCommandException or ServerErrorException)
        {
            // The process is gone: its stream has ended or will.
        }

        _session.Dispose();
        await _processing.ConfigureAwait(false);
    }

    private void Process(QuotaMonitorState state)
    {
        try
        {
            using var source = new EventPipeEventSource(_session.EventStream);
            source.Dynamic.All += traceEvent =>
            {
                if (traceEvent.ProviderName != MetricsEventSource)
                {
                    return;
                }

                switch (traceEvent.EventName)
                {
                    case "CounterRateValuePublished":
                        if (IsFastBucket(traceEvent))
                        {
                            state.OnCounter(Text(traceEvent, "instrumentName"), Text(traceEvent, "tags"), Text(traceEvent, "rate"));
                        }

                        break;
                    case "GaugeValuePublished":
                        if (IsFastBucket(traceEvent))
                        {
                            state.OnGauge(Text(traceEvent, "instrumentName"), Text(traceEvent, "tags"), Text(traceEvent, "lastValue"));
                        }

                        break;
                    case "HistogramValuePublished":
                        if (IsFastBucket(traceEvent))
                        {
                            state.OnHistogram(Text(traceEvent, "instrumentName"), Text(traceEvent, "tags"), Text(traceEvent, "quantiles"));
                        }

                        break;
                    case "Collection/Stop": // the runtime's CollectionStop, named by TraceEvent after its task and opcode
                        Interlocked.Increment(ref _completedCollections);
                        break;
                    case "Error":
                    case "MultipleSessionsNotSupportedError":
                    case "MultipleSessionsConfiguredIncorrectlyError":
                    case "ObservableInstrumentCallbackError":
                        Error = traceEvent.EventName + ": " + Text(traceEvent, "errorMessage");
                        break;
                }
            };
            source.Process();
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or ObjectDisposedException or InvalidOperationException or FormatException)
        {
            // The process exited or the stream was cut: what was read stays in the state.
        }
    }

    private static bool IsFastBucket(TraceEvent traceEvent) => Text(traceEvent, "meterName") == FastBucketMetrics.MeterName;

    private static string Text(TraceEvent traceEvent, string name) => traceEvent.PayloadByName(name)?.ToString() ?? string.Empty;
}
