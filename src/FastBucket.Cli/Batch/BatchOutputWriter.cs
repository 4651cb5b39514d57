namespace FastBucket.Cli.Batch;

/// <summary>
/// Appends results to the output file, one complete line per write, flushed at once so that a crash loses at most
/// the line being written (which the next run detects and drops). In ordered mode results are held until every
/// earlier line has been written; <see cref="WaitForWindowAsync"/> bounds how many can be held.
/// </summary>
internal sealed class BatchOutputWriter : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _ordered;
    private readonly SortedDictionary<long, byte[]> _pending = [];
    private readonly SemaphoreSlim _window;
    private readonly Lock _lock = new();
    private long _nextSequence;
    private long _written;

    public BatchOutputWriter(Stream stream, bool ordered, int window)
    {
        _stream = stream;
        _ordered = ordered;
        _window = new SemaphoreSlim(window, window);
    }

    public long Written => Interlocked.Read(ref _written);

    /// <summary>Waits until the result with the next sequence number could be held without passing the window.</summary>
    public Task WaitForWindowAsync(CancellationToken cancellationToken) =>
        _ordered ? _window.WaitAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>Writes (or, when ordered and early, holds) the result of the line with this sequence number.</summary>
    public void Write(long sequence, BatchResult result)
    {
        var line = result.ToJsonLine();
        lock (_lock)
        {
            if (!_ordered)
            {
                Append(line);
                return;
            }

            _pending.Add(sequence, line);
            while (_pending.Remove(_nextSequence, out var next))
            {
                Append(next);
                _nextSequence++;
                _window.Release();
            }
        }
    }

    private void Append(byte[] line)
    {
        _stream.Write(line);
        _stream.Flush();
        _written++;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            // Lines still held were never completed by their predecessors (an abort): write what we have, in order.
            foreach (var line in _pending.Values)
            {
                Append(line);
            }

            _pending.Clear();
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _window.Dispose();
    }
}
