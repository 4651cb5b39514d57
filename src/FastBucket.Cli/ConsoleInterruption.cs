using System.Runtime.InteropServices;

namespace FastBucket.Cli;

/// <summary>
/// Ctrl-C (or SIGTERM) once stops admitting new requests (those still waiting for quota end unsent) and lets those
/// already sent finish; a second time aborts them.
/// The process is never killed mid-write by the first signal, so the output stays whole.
/// </summary>
internal sealed class ConsoleInterruption : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly PosixSignalRegistration? _sigterm;
    private int _signals;

    public ConsoleInterruption(CancellationToken outer)
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        if (!OperatingSystem.IsWindows())
        {
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                Signal();
            });
        }

        outer.Register(static s => ((ConsoleInterruption)s!).Signal(), this);
    }

    /// <summary>Canceled at the first signal: read no more input.</summary>
    public CancellationToken Stop => _stop.Token;

    /// <summary>Canceled at the second signal: cancel requests in flight.</summary>
    public CancellationToken Abort => _abort.Token;

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        Signal();
    }

    private void Signal()
    {
        if (Interlocked.Increment(ref _signals) == 1)
        {
            Console.Error.WriteLine("Stopping: no new requests are sent, those waiting for quota are dropped (the next run sends them); finishing those already sent (Ctrl-C again to abort).");
            _stop.Cancel();
        }
        else
        {
            Console.Error.WriteLine("Aborting the requests in flight.");
            _stop.Cancel();
            _abort.Cancel();
        }
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _sigterm?.Dispose();
        _stop.Dispose();
        _abort.Dispose();
    }
}
