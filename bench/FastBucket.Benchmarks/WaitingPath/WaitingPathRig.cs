using System.Diagnostics;
using System.Threading.RateLimiting;
using FastBucket.Benchmarks.Competitors;
using FastBucket.Benchmarks.Harness;

namespace FastBucket.Benchmarks.WaitingPath;

/// <summary>
/// One limiter under many concurrent async waiters at a high rate: the set-up shared by the waiting-path
/// benchmark (throughput, bytes per acquire) and the wake-lateness probe (each grant's time against the
/// ideal schedule). Every run starts from an empty bucket, so the whole run is paced by the refill.
/// </summary>
internal sealed class WaitingPathRig : IDisposable
{
    /// <summary>The runtime limiter's replenishment period: the finest its timer can honour.</summary>
    private static readonly TimeSpan RuntimePeriod = TimeSpan.FromMilliseconds(1);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(1);

    private readonly TokenBucket? _bucket;
    private readonly TokenBucketRateLimiter? _runtime;
    private readonly SleepPollingLimiter? _polling;
    private readonly AsyncWorkerCrew _crew;
    private long[]? _completions;
    private int _completed;

    public WaitingPathRig(WaitingLimiter limiter, int tokensPerSecond, int capacity, int waiters)
    {
        Limiter = limiter;
        TokensPerSecond = tokensPerSecond;
        Capacity = capacity;
        Waiters = waiters;
        switch (limiter)
        {
            case WaitingLimiter.FastBucket:
                _bucket = new TokenBucket(capacity, tokensPerSecond, initialTokens: 0);
                _crew = new AsyncWorkerCrew(waiters, FastBucketWorkerAsync);
                break;
            case WaitingLimiter.RuntimeTokenBucket:
                int perPeriod = checked((int)Math.Round(tokensPerSecond * RuntimePeriod.TotalSeconds));
                _runtime = RuntimeTokenBuckets.AutoReplenishing(capacity, perPeriod, RuntimePeriod, queueLimit: waiters);
                _crew = new AsyncWorkerCrew(waiters, RuntimeWorkerAsync);
                break;
            case WaitingLimiter.SleepPolling:
                _polling = new SleepPollingLimiter(capacity, tokensPerSecond, initialTokens: 0, PollInterval);
                _crew = new AsyncWorkerCrew(waiters, PollingWorkerAsync);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(limiter), limiter, "Unknown limiter.");
        }
    }

    public WaitingLimiter Limiter { get; }

    public int TokensPerSecond { get; }

    public int Capacity { get; }

    public int Waiters { get; }

    /// <summary>Acquires completed in the current (or last) run; safe to read while it runs.</summary>
    public int Completed => Volatile.Read(ref _completed);

    /// <summary>Sets <see cref="Completed"/> back to zero (before a sampler starts watching it).</summary>
    public void ResetCompleted() => Volatile.Write(ref _completed, 0);

    /// <summary>
    /// Empties the bucket and has every waiter do <paramref name="acquiresPerWaiter"/> acquires; returns the
    /// timestamp the run started at (the bucket was empty then). With <paramref name="completions"/>, the
    /// Stopwatch timestamp of the i-th acquire to complete (in completion order) is written at index i.
    /// </summary>
    public long Run(int acquiresPerWaiter, long[]? completions = null)
    {
        int total = checked(acquiresPerWaiter * Waiters);
        if (completions is not null && completions.Length < total)
        {
            throw new ArgumentException($"Room for {total} completions is needed.", nameof(completions));
        }

        _completions = completions;
        Volatile.Write(ref _completed, 0);
        long start = Drain();

        // Generous: a limiter that keeps its rate needs total / rate seconds.
        var timeout = TimeSpan.FromSeconds(10 + (4.0 * total / TokensPerSecond));
        _crew.Run(acquiresPerWaiter, timeout);
        if (Completed != total)
        {
            throw new InvalidOperationException($"{Completed} acquires completed, {total} expected.");
        }

        return start;
    }

    public void Dispose()
    {
        _crew.Dispose();
        _bucket?.Dispose();
        _runtime?.Dispose();
    }

    private long Drain()
    {
        if (_bucket is not null)
        {
            _bucket.SetAvailable(0);
        }
        else if (_runtime is not null)
        {
            RuntimeTokenBuckets.Drain(_runtime);
        }
        else
        {
            _polling!.Drain();
        }

        return Stopwatch.GetTimestamp();
    }

    private void Record()
    {
        int index = Interlocked.Increment(ref _completed) - 1;
        if (_completions is { } completions)
        {
            completions[index] = Stopwatch.GetTimestamp();
        }
    }

    // One loop per limiter rather than a shared loop over a delegate: an async delegate returning a
    // ValueTask would itself allocate a state machine whenever it waits, charging the harness's
    // allocation to the limiter.
    private async Task FastBucketWorkerAsync(WorkerSignal signal)
    {
        int acquires;
        while ((acquires = await signal.WaitForRunAsync()) >= 0)
        {
            try
            {
                for (int i = 0; i < acquires; i++)
                {
                    await _bucket!.AcquireAsync();
                    Record();
                }

                signal.Finish();
            }
            catch (Exception e)
            {
                signal.Finish(e);
            }
        }
    }

    private async Task RuntimeWorkerAsync(WorkerSignal signal)
    {
        int acquires;
        while ((acquires = await signal.WaitForRunAsync()) >= 0)
        {
            try
            {
                for (int i = 0; i < acquires; i++)
                {
                    using var lease = await _runtime!.AcquireAsync(1);
                    if (!lease.IsAcquired)
                    {
                        throw new InvalidOperationException("The runtime limiter refused a queued acquire (queue limit too low).");
                    }

                    Record();
                }

                signal.Finish();
            }
            catch (Exception e)
            {
                signal.Finish(e);
            }
        }
    }

    private async Task PollingWorkerAsync(WorkerSignal signal)
    {
        int acquires;
        while ((acquires = await signal.WaitForRunAsync()) >= 0)
        {
            try
            {
                for (int i = 0; i < acquires; i++)
                {
                    await _polling!.AcquireAsync();
                    Record();
                }

                signal.Finish();
            }
            catch (Exception e)
            {
                signal.Finish(e);
            }
        }
    }
}
