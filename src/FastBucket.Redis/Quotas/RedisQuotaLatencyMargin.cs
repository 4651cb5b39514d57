using System.Diagnostics;

namespace FastBucket.Redis;

/// <summary>
/// The latency margin of a shared quota: how much sooner than its capacity allows a reservation must fit in Redis.
/// A grant is made at the server's time; the request reaches the provider later, after the answer's way back, the
/// process's own work, and the send. Requests granted evenly spaced can arrive bunched by as much as that delay varies,
/// and with several processes it varies more; the provider then sees a burst above its capacity (a 429). The margin is
/// the recent peak of that delay as observed here: the answer's round trip plus the time from grant to send (reported
/// through <see cref="RedisQuota.Observe"/>). Peaks decay by half every <see cref="HalfLife"/>. The margin shrinks the
/// burst by <c>rate × margin</c> rounded down to whole units (so a small limit loses nothing to a short delay), never the
/// sustained rate, and never below one request's cost. The script keeps the
/// largest margin any process sent lately and applies it to every process: the late arrivals of one bunch with the
/// grants of all.
/// </summary>
internal sealed class RedisQuotaLatencyMargin
{
    /// <summary>How fast an old peak is forgotten.</summary>
    internal static readonly TimeSpan HalfLife = TimeSpan.FromSeconds(60);

    /// <summary>The largest margin: beyond it the delay is an outage, not jitter.</summary>
    internal static readonly TimeSpan Max = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Peak _roundTrip = new();
    private readonly Peak _grantToSend = new();

    internal RedisQuotaLatencyMargin(TimeProvider time) => _time = time;

    /// <summary>The margin now.</summary>
    internal TimeSpan Current
    {
        get
        {
            lock (_gate)
            {
                // Read inside the lock: a later reading stored by another thread first would make this one's elapsed
                // time negative.
                long now = _time.GetTimestamp();
                var sum = _roundTrip.At(now, _time) + _grantToSend.At(now, _time);
                return sum < Max ? sum : Max;
            }
        }
    }

    /// <summary>A reservation's round trip to Redis.</summary>
    internal void OnRoundTrip(TimeSpan elapsed) => Add(_roundTrip, elapsed);

    /// <summary>The time from a grant to its request's send.</summary>
    internal void OnGrantToSend(TimeSpan elapsed) => Add(_grantToSend, elapsed);

    private void Add(Peak peak, TimeSpan sample)
    {
        if (sample <= TimeSpan.Zero)
        {
            return;
        }

        lock (_gate)
        {
            peak.Add(sample, _time.GetTimestamp(), _time);
        }
    }

    private sealed class Peak
    {
        private TimeSpan _value;
        private long _at;

        internal TimeSpan At(long now, TimeProvider time)
        {
            if (_value == TimeSpan.Zero)
            {
                return TimeSpan.Zero;
            }

            double halves = time.GetElapsedTime(_at, now) / HalfLife;
            Debug.Assert(halves >= 0);
            return _value * Math.Pow(0.5, halves);
        }

        internal void Add(TimeSpan sample, long now, TimeProvider time)
        {
            var decayed = At(now, time);
            if (sample >= decayed)
            {
                _value = sample;
                _at = now;
            }
        }
    }
}
