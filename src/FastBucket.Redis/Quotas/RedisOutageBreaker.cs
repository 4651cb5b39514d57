using System.Diagnostics;

namespace FastBucket.Redis;

/// <summary>
/// Whether Redis may be asked now. After a failure it stays open for a backoff (100 ms doubling to 5 s) during
/// which nothing is sent; then one caller at a time probes. So an outage costs one failed command per backoff,
/// not one per request, and nothing piles up in the multiplexer's backlog. A probe that ends by an exception that says
/// nothing about Redis still ends (<see cref="OnAbandoned"/>): the breaker is never left waiting for a probe's answer.
/// </summary>
internal sealed class RedisOutageBreaker
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private long _openUntil;
    private bool _open;
    private bool _probing;
    private int _failures;

    internal RedisOutageBreaker(TimeProvider time) => _time = time;

    /// <summary>Whether the last attempt failed and no probe has succeeded since.</summary>
    internal bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    /// <summary>How many times Redis failed in a row.</summary>
    internal int ConsecutiveFailures
    {
        get
        {
            lock (_gate)
            {
                return _failures;
            }
        }
    }

    /// <summary>Whether the caller may send a command now; when the breaker is open, only one probe at a time may.</summary>
    internal bool TryEnter()
    {
        lock (_gate)
        {
            if (!_open)
            {
                return true;
            }

            if (_probing || _time.GetTimestamp() < _openUntil)
            {
                return false;
            }

            _probing = true;
            return true;
        }
    }

    /// <summary>How long until the next probe may go.</summary>
    internal TimeSpan RetryIn
    {
        get
        {
            lock (_gate)
            {
                var left = _open ? _time.GetElapsedTime(_time.GetTimestamp(), _openUntil) : TimeSpan.Zero;
                return left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1);
            }
        }
    }

    internal void OnSuccess()
    {
        lock (_gate)
        {
            _open = _probing = false;
            _failures = 0;
        }
    }

    /// <summary>A call ended by an exception that is not a Redis failure: a probe's slot is given back, counted as a failure so the next probe waits out a backoff.</summary>
    internal void OnAbandoned()
    {
        lock (_gate)
        {
            if (!_probing)
            {
                return;
            }
        }

        OnFailure();
    }

    internal void OnFailure()
    {
        lock (_gate)
        {
            // Concurrent commands that were already in flight when Redis went away fail together: count the outage once per probe.
            if (_open && !_probing)
            {
                return;
            }

            _failures = Math.Min(_failures + 1, 30);
            var backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(_failures - 1, 10)));
            Debug.Assert(backoff > TimeSpan.Zero);
            _openUntil = _time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency);
            _open = true;
            _probing = false;
        }
    }
}
