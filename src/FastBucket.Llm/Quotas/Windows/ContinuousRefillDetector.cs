using System.Diagnostics;

namespace FastBucket.Quotas.Windows;

/// <summary>
/// Learns from a provider's own resets whether it counts its per-minute limits as continuously refilled buckets,
/// where its enforcement is not documented. A bucket's reset (the time until it is full again) is what was used over
/// the refill rate, <c>(limit − remaining) × window / limit</c>; a fixed window's reset is the time to its edge and a
/// sliding log's the time until a charge expires, whatever was used, so they meet the bucket's line only for an
/// instant, moving the other way. <see cref="RequiredInARow"/> matching responses in a row, spread over at least
/// <see cref="RequiredSpan"/>, make the quota's windows buckets; as many contradicting ones in a row, or a refused
/// burst (<see cref="OnBurstRefused"/>), return them to the safe shape for good.
/// </summary>
/// <remarks>Called once per response, off the reservation path; a lock keeps the count and the verdict together.</remarks>
internal sealed class ContinuousRefillDetector
{
    /// <summary>How many responses in a row must agree before the verdict changes.</summary>
    public const int RequiredInARow = 3;

    /// <summary>The least time between the first and the last of the matching responses that make the windows buckets.</summary>
    public static readonly TimeSpan RequiredSpan = TimeSpan.FromSeconds(2);

    /// <summary>How far a reset may be from the bucket's: 250 ms (headers round) plus 5% of it.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(250);

    private readonly object _gate = new();
    private readonly TimeProvider _timeProvider;
    private int _inARow;
    private long _firstAt;
    private bool? _continuous;

    /// <summary>Creates a detector that times its evidence with <paramref name="timeProvider"/>.</summary>
    public ContinuousRefillDetector(TimeProvider timeProvider) => _timeProvider = timeProvider;

    /// <summary><see langword="true"/>: the provider refills continuously; <see langword="false"/>: it does not, for good; <see langword="null"/>: not known yet.</summary>
    public bool? Continuous
    {
        get
        {
            lock (_gate)
            {
                return _continuous;
            }
        }
    }

    /// <summary>
    /// Whether one reported dimension matches a continuously refilled bucket of <paramref name="limit"/> per
    /// <paramref name="window"/>: <see langword="null"/> when it says nothing either way (nothing used yet, nothing or
    /// almost nothing left, where every enforcement reports alike, or no reset).
    /// </summary>
    public static bool? Matches(long limit, long? remaining, TimeSpan? reset, TimeSpan window)
    {
        if (limit <= 0 || remaining is not { } left || reset is not { } reported || left >= limit || left < limit / 10)
        {
            return null;
        }

        double expected = (limit - left) * window.TotalSeconds / limit;
        return Math.Abs(reported.TotalSeconds - expected) <= Tolerance.TotalSeconds + 0.05 * expected;
    }

    /// <summary>
    /// Counts one response's verdict (see <see cref="Matches"/>): returns the new value of <see cref="Continuous"/> when
    /// it changed, else <see langword="null"/>.
    /// </summary>
    public bool? Observe(bool matches)
    {
        long now = _timeProvider.GetTimestamp();
        lock (_gate)
        {
            if (_continuous == false)
            {
                return null;
            }

            // Unknown: count matches; known to be a bucket: count contradictions.
            bool towardChange = _continuous is null ? matches : !matches;
            if (!towardChange)
            {
                _inARow = 0;
                return null;
            }

            if (_inARow++ == 0)
            {
                _firstAt = now;
            }

            bool spread = _continuous is not null || _timeProvider.GetElapsedTime(_firstAt, now) >= RequiredSpan;
            if (_inARow < RequiredInARow || !spread)
            {
                return null;
            }

            _inARow = 0;
            _continuous = _continuous is null;
            AssertInvariants();
            return _continuous;
        }
    }

    /// <summary>
    /// The provider refused a burst while reporting room: it enforces over a shorter period than a bucket's. Returns
    /// <see langword="true"/> when this ends the bucket reading (the windows must return to the safe shape).
    /// </summary>
    public bool OnBurstRefused()
    {
        lock (_gate)
        {
            bool wasBucket = _continuous == true;
            _continuous = false;
            _inARow = 0;
            return wasBucket;
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_inARow is >= 0 and < RequiredInARow, "the count restarts at each verdict");
}
