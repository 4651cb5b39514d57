namespace FastBucket.Benchmarks.Harness;

/// <summary>
/// N dedicated threads, started once and parked between runs, that each run the same body when told to.
/// A benchmark invocation is one <see cref="Run"/>: the cost of waking and joining the threads (a few
/// microseconds) is spread over hundreds of thousands of operations, and nothing is allocated per run.
/// </summary>
internal sealed class ThreadGang : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _go;
    private readonly ManualResetEventSlim _done = new(false);
    private Func<int, int, long>? _body;
    private int _operationsPerThread;
    private int _pending;
    private long _total;
    private Exception? _failure;
    private volatile bool _stopping;

    /// <param name="threads">How many threads; each runs the body once per <see cref="Run"/>.</param>
    public ThreadGang(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        _threads = new Thread[threads];
        _go = new SemaphoreSlim[threads];
        for (int i = 0; i < threads; i++)
        {
            _go[i] = new SemaphoreSlim(0);
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"bench-gang-{i}" };
            _threads[i].Start(i);
        }
    }

    public int Count => _threads.Length;

    /// <summary>
    /// Runs <paramref name="body"/>(thread index, <paramref name="operationsPerThread"/>) on every thread at
    /// once and waits for all; returns the sum of what the bodies returned (for example, grants).
    /// </summary>
    public long Run(Func<int, int, long> body, int operationsPerThread)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        _body = body;
        _operationsPerThread = operationsPerThread;
        _total = 0;
        _failure = null;
        _done.Reset();
        Volatile.Write(ref _pending, _threads.Length);
        foreach (var go in _go)
        {
            go.Release();
        }

        _done.Wait();
        if (_failure is { } failure)
        {
            throw new InvalidOperationException("A benchmark thread failed.", failure);
        }

        return Interlocked.Read(ref _total);
    }

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        foreach (var go in _go)
        {
            go.Release();
        }

        foreach (var thread in _threads)
        {
            thread.Join();
        }

        foreach (var go in _go)
        {
            go.Dispose();
        }

        _done.Dispose();
    }

    private void Work(object? state)
    {
        int index = (int)state!;
        while (true)
        {
            _go[index].Wait();
            if (_stopping)
            {
                return;
            }

            try
            {
                Interlocked.Add(ref _total, _body!(index, _operationsPerThread));
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }

            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _done.Set();
            }
        }
    }
}
