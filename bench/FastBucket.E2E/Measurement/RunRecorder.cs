using System.Diagnostics;

namespace FastBucket.E2E.Measurement;

/// <summary>
/// What happened to each request of one contender's run, measured the same way for all of them: when the whole
/// workload was submitted, when each request first went out on the wire (the <see cref="RecordingHandler"/> sits
/// just above the socket), how many times each was sent, and when and how each ended.
/// </summary>
internal sealed class RunRecorder
{
    private readonly long[] _firstSent;
    private readonly long[] _completed;
    private readonly int[] _sends;
    private readonly bool[] _succeeded;
    private long _submitted;
    private long _rateLimitedSeen;

    public RunRecorder(int count)
    {
        _firstSent = new long[count];
        _completed = new long[count];
        _sends = new int[count];
        _succeeded = new bool[count];
    }

    public int Count => _sends.Length;

    /// <summary>Marks the moment the whole workload is handed to the contender.</summary>
    public void Submitted() => _submitted = Stopwatch.GetTimestamp();

    public void Sent(int index)
    {
        long now = Stopwatch.GetTimestamp();
        if (Interlocked.Increment(ref _sends[index]) == 1)
        {
            Volatile.Write(ref _firstSent[index], now);
        }
    }

    public void RateLimitedResponse() => Interlocked.Increment(ref _rateLimitedSeen);

    public void Completed(int index, bool succeeded)
    {
        Debug.Assert(Volatile.Read(ref _completed[index]) == 0, "Each request ends exactly once.");
        _succeeded[index] = succeeded;
        Volatile.Write(ref _completed[index], Stopwatch.GetTimestamp());
    }

    public RunMeasurements Measure()
    {
        Debug.Assert(_submitted != 0, "Submitted() comes first.");
        var queueing = new List<double>(Count);
        var endToEnd = new List<double>(Count);
        long lastCompleted = _submitted;
        int ok = 0;
        int failed = 0;
        int neverSent = 0;
        long sends = 0;
        for (int i = 0; i < Count; i++)
        {
            sends += _sends[i];
            if (_firstSent[i] != 0)
            {
                queueing.Add(Stopwatch.GetElapsedTime(_submitted, _firstSent[i]).TotalMilliseconds);
            }
            else
            {
                neverSent++;
            }

            if (_completed[i] != 0)
            {
                endToEnd.Add(Stopwatch.GetElapsedTime(_submitted, _completed[i]).TotalMilliseconds);
                lastCompleted = Math.Max(lastCompleted, _completed[i]);
            }

            if (_succeeded[i])
            {
                ok++;
            }
            else
            {
                failed++;
            }
        }

        return new RunMeasurements(
            WallSeconds: Stopwatch.GetElapsedTime(_submitted, lastCompleted).TotalSeconds,
            Sends: sends,
            Retries: sends - (Count - neverSent),
            RateLimitedSeen: Interlocked.Read(ref _rateLimitedSeen),
            Succeeded: ok,
            Failed: failed,
            NeverSent: neverSent,
            QueueingP50Ms: Percentiles.Of(queueing, 50),
            QueueingP99Ms: Percentiles.Of(queueing, 99),
            CompletionP50Ms: Percentiles.Of(endToEnd, 50),
            CompletionP99Ms: Percentiles.Of(endToEnd, 99));
    }
}
