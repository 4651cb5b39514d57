using System.Threading.Tasks.Sources;

namespace FastBucket.Benchmarks.Harness;

/// <summary>
/// The start signal of one long-lived async worker of an <see cref="AsyncWorkerCrew"/>: a resettable
/// <see cref="IValueTaskSource{TResult}"/>, so starting a run and awaiting the start allocate nothing and the
/// only allocations a waiting-path benchmark sees are the limiter's.
/// </summary>
internal sealed class WorkerSignal : IValueTaskSource<int>
{
    private readonly AsyncWorkerCrew _crew;
    private ManualResetValueTaskSourceCore<int> _core;

    internal WorkerSignal(AsyncWorkerCrew crew, int index)
    {
        _crew = crew;
        Index = index;

        // The crew starts a thousand workers in a loop; none may run inline on the starting thread.
        _core.RunContinuationsAsynchronously = true;
    }

    /// <summary>The worker's position in the crew.</summary>
    public int Index { get; }

    /// <summary>Waits for the next run: the number of operations to do, or a negative number to stop.</summary>
    public ValueTask<int> WaitForRunAsync() => new(this, _core.Version);

    /// <summary>Reports this worker's run done (with the exception that ended it, if any).</summary>
    public void Finish(Exception? error = null) => _crew.OnWorkerFinished(error);

    internal void Start(int operations) => _core.SetResult(operations);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    int IValueTaskSource<int>.GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
        }
    }
}
