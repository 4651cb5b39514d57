namespace FastBucket.Benchmarks.Harness;

/// <summary>
/// A fixed crew of long-lived async workers (for example 1,000 concurrent waiters) that each run a loop
/// written by the benchmark: await <see cref="WorkerSignal.WaitForRunAsync"/>, do that many acquires,
/// call <see cref="WorkerSignal.Finish"/>, repeat. Each worker's async state machine is allocated once,
/// when the crew is built, so per-run allocations are the limiter's alone.
/// </summary>
internal sealed class AsyncWorkerCrew : IDisposable
{
    private readonly WorkerSignal[] _signals;
    private readonly Task[] _workers;
    private readonly ManualResetEventSlim _done = new(false);
    private int _pending;
    private Exception? _failure;
    private bool _disposed;

    /// <param name="workers">How many workers.</param>
    /// <param name="worker">The worker loop; called once per worker, with its signal.</param>
    public AsyncWorkerCrew(int workers, Func<WorkerSignal, Task> worker)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        ArgumentNullException.ThrowIfNull(worker);
        _signals = new WorkerSignal[workers];
        _workers = new Task[workers];
        for (int i = 0; i < workers; i++)
        {
            _signals[i] = new WorkerSignal(this, i);
            _workers[i] = worker(_signals[i]);
        }
    }

    public int Count => _signals.Length;

    /// <summary>Starts every worker on <paramref name="operationsPerWorker"/> operations and waits for all of them.</summary>
    /// <exception cref="TimeoutException">The run did not finish within <paramref name="timeout"/> (a limiter that stalls).</exception>
    public void Run(int operationsPerWorker, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(operationsPerWorker);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _failure = null;
        _done.Reset();
        Volatile.Write(ref _pending, _signals.Length);
        foreach (var signal in _signals)
        {
            signal.Start(operationsPerWorker);
        }

        if (!_done.Wait(timeout))
        {
            throw new TimeoutException($"{Volatile.Read(ref _pending)} of {_signals.Length} workers had not finished after {timeout.TotalSeconds:F0} s.");
        }

        if (_failure is { } failure)
        {
            throw new InvalidOperationException("A benchmark worker failed.", failure);
        }
    }

    internal void OnWorkerFinished(Exception? error)
    {
        if (error is not null)
        {
            Interlocked.CompareExchange(ref _failure, error, null);
        }

        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _done.Set();
        }
    }

    /// <summary>Stops the workers (after the current run, which must have finished) and waits for them.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var signal in _signals)
        {
            signal.Start(-1);
        }

        Task.WaitAll(_workers, TimeSpan.FromSeconds(10));
        _done.Dispose();
    }
}
