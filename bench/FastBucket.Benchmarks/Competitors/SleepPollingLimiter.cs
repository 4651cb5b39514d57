using System.Diagnostics;

namespace FastBucket.Benchmarks.Competitors;

/// <summary>
/// The limiter most code bases write by hand: a <see langword="double"/> token count refilled from the
/// elapsed time under a <see langword="lock"/>, and a caller that cannot get a token sleeps a fixed poll
/// interval (<see cref="Thread.Sleep(TimeSpan)"/> or <see cref="Task.Delay(TimeSpan, CancellationToken)"/>)
/// and tries again. Included as the baseline for the waiting path: every poll is a lock round trip and,
/// asynchronously, a timer and a task allocation.
/// </summary>
internal sealed class SleepPollingLimiter
{
    private readonly object _gate = new();
    private readonly double _capacity;
    private readonly double _tokensPerTimestampTick;
    private readonly TimeSpan _pollInterval;
    private double _tokens;
    private long _lastRefill;

    public SleepPollingLimiter(double capacity, double tokensPerSecond, double initialTokens, TimeSpan pollInterval)
    {
        _capacity = capacity;
        _tokensPerTimestampTick = tokensPerSecond / Stopwatch.Frequency;
        _pollInterval = pollInterval;
        _tokens = initialTokens;
        _lastRefill = Stopwatch.GetTimestamp();
    }

    public bool TryAcquire()
    {
        lock (_gate)
        {
            long now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(_capacity, _tokens + ((now - _lastRefill) * _tokensPerTimestampTick));
            _lastRefill = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                return true;
            }

            return false;
        }
    }

    public void Acquire()
    {
        while (!TryAcquire())
        {
            Thread.Sleep(_pollInterval);
        }
    }

    public async Task AcquireAsync(CancellationToken cancellationToken = default)
    {
        while (!TryAcquire())
        {
            await Task.Delay(_pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Empties the bucket now (for runs that must start from an empty bucket).</summary>
    public void Drain()
    {
        lock (_gate)
        {
            _tokens = 0;
            _lastRefill = Stopwatch.GetTimestamp();
        }
    }
}
