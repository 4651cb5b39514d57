namespace FastBucket.Quotas;

/// <summary>
/// What a quota store knew when it granted one reservation: per dimension, the total reserved so far, the
/// level left, the total lowered on the provider's evidence so far and what its requests in flight reserved; and when. The provider's answer to that
/// request is compared with these to tell consumption nobody here made (another process on the key) from requests
/// merely in flight.
/// </summary>
internal sealed class ReservationMark
{
    private readonly long[] _values;

    public ReservationMark(int dimensions, long grantTimestamp)
    {
        _values = new long[dimensions * 4];
        Dimensions = dimensions;
        GrantTimestamp = grantTimestamp;
    }

    public int Dimensions { get; }

    public long GrantTimestamp { get; }

    /// <summary>The generation of the store's counters the totals were read from (0 in process; in Redis, the hash's creation): totals of another generation are not comparable.</summary>
    public long Epoch { get; init; }

    public ref long ReservedTotal(int dimension) => ref _values[dimension];

    public ref long Level(int dimension) => ref _values[Dimensions + dimension];

    public ref long Lowered(int dimension) => ref _values[(2 * Dimensions) + dimension];

    /// <summary>What the store's requests in flight had reserved, this one's included.</summary>
    public ref long InFlight(int dimension) => ref _values[(3 * Dimensions) + dimension];
}
