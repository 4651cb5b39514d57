using System.Diagnostics;

namespace FastBucket.Quotas.Windows;

/// <summary>
/// Learns from a provider's own resets whether it counts its per-minute limits as continuously refilled buckets,
/// where its enforcement is not documented. A bucket's reset (the time until it is full again) is what was used over
/// the refill rate, <c>(limit − remaining) × window / limit</c>; a fixed window's reset is the time to its edge and a
/// sliding log's the time until a charge expires, whatever was used, so they meet the bucket's line only for an
/// instant, moving the other way. Both report a reset that shrinks one second per second while nothing is charged, so
/// agreement alone proves little: what tells them apart is the moment the dimension would be full again (now + reset),
/// which a fixed window's edge (or a log's oldest charge) keeps wherever the charges go, and a bucket's moves with every
/// charge. <see cref="RequiredInARow"/> matching responses in a row whose full times moved apart by more than twice the
/// tolerance (<see cref="RequiredMovement"/>) make the quota's windows buckets; as many contradicting ones in a row, or
/// a refused burst (<see cref="OnBurstRefused"/>), return them to the safe shape for good.
/// </summary>
/// <remarks>Called once per response, off the reservation path; a lock keeps the count and the verdict together.</remarks>
internal sealed class ContinuousRefillDetector
{
    /// <summary>How many responses in a row must agree before the verdict changes.</summary>
    public const int RequiredInARow = 3;

    /// <summary>How far a reset may be from the bucket's: 250 ms (headers round) plus 5% of it.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(250);

    private readonly object _gate = new();
    private readonly TimeProvider _timeProvider;
    private int _inARow;
    private QuotaDimension _dimension;
    private double _earliestFull;
    private double _latestFull;
    private double _longestReset;
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
        return Math.Abs(reported.TotalSeconds - expected) <= Allowed(expected);
    }

    /// <summary>
    /// How far apart the full times (now + reset) of the matching responses must be, at the least, before they make the
    /// windows buckets: twice the tolerance of the longest reset among them, so that a fixed edge read with the
    /// tolerance's error either side never passes.
    /// </summary>
    public static TimeSpan RequiredMovement(TimeSpan longestReset) => TimeSpan.FromSeconds(2 * Allowed(longestReset.TotalSeconds));

    private static double Allowed(double expectedSeconds) => Tolerance.TotalSeconds + (0.05 * expectedSeconds);

    /// <summary>
    /// Counts one response's evidence (see <see cref="Matches"/>): returns the new value of <see cref="Continuous"/> when
    /// it changed, else <see langword="null"/>.
    /// </summary>
    public bool? Observe(RefillEvidence evidence)
    {
        bool matches = evidence.Matches;
        double full = (_timeProvider.GetTimestamp() / (double)_timeProvider.TimestampFrequency) + evidence.Reset.TotalSeconds;
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

            // Full times compare only within one dimension: another's reset is another clock.
            if (_inARow == 0 || evidence.Dimension != _dimension)
            {
                _inARow = 0;
                _dimension = evidence.Dimension;
                _earliestFull = _latestFull = full;
                _longestReset = 0;
            }

            _inARow++;
            _earliestFull = Math.Min(_earliestFull, full);
            _latestFull = Math.Max(_latestFull, full);
            _longestReset = Math.Max(_longestReset, evidence.Reset.TotalSeconds);
            bool moved = _continuous is not null || _latestFull - _earliestFull >= RequiredMovement(TimeSpan.FromSeconds(_longestReset)).TotalSeconds;
            if (_inARow < RequiredInARow || !moved)
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
