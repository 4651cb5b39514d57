namespace FastBucket.Cli.Batch;

/// <summary>Live counters of a batch run, read by the dashboard while workers update them.</summary>
internal sealed class BatchStatistics
{
    private long _total = -1;
    private long _read;
    private long _skipped;
    private long _succeeded;
    private long _failed;
    private long _invalid;
    private long _active;
    private long _inputTokens;
    private long _outputTokens;

    public WaitTimeRecorder Waits { get; } = new();

    /// <summary>Lines in the input, or -1 while they are still being counted.</summary>
    public long Total => Interlocked.Read(ref _total);

    public long Read => Interlocked.Read(ref _read);

    /// <summary>Lines skipped because an earlier run completed them.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>Requests that ended without a 2xx answer, malformed lines included.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Lines that could not be sent at all (malformed).</summary>
    public long Invalid => Interlocked.Read(ref _invalid);

    /// <summary>Requests a worker holds: waiting for quota or at the provider.</summary>
    public long Active => Interlocked.Read(ref _active);

    public long InputTokens => Interlocked.Read(ref _inputTokens);

    public long OutputTokens => Interlocked.Read(ref _outputTokens);

    public long Done => Succeeded + Failed;

    public void SetTotal(long total) => Interlocked.Exchange(ref _total, total);

    public void LineRead() => Interlocked.Increment(ref _read);

    public void LineSkipped() => Interlocked.Increment(ref _skipped);

    public void LineInvalid()
    {
        Interlocked.Increment(ref _invalid);
        Interlocked.Increment(ref _failed);
    }

    public void Started() => Interlocked.Increment(ref _active);

    /// <summary>A line ended; <paramref name="sent"/> is false when a stop ended its wait for quota (it has no result).</summary>
    public void Ended(bool succeeded, long inputTokens, long outputTokens, bool sent = true)
    {
        Interlocked.Decrement(ref _active);
        if (!sent)
        {
            return;
        }

        Interlocked.Increment(ref succeeded ? ref _succeeded : ref _failed);
        Interlocked.Add(ref _inputTokens, inputTokens);
        Interlocked.Add(ref _outputTokens, outputTokens);
    }
}
