namespace FastBucket.Quotas;

/// <summary>
/// What an <see cref="LlmQuota"/> knew when it granted one reservation: per dimension, the total reserved so far, the
/// level left, and the total lowered on the provider's evidence so far; and when. The provider's answer to that
/// request is compared with these to tell consumption nobody here made (another process on the key) from requests
/// merely in flight.
/// </summary>
internal sealed class ReservationMark
{
    private readonly long[] _values;

    public ReservationMark(int dimensions, long grantTimestamp)
    {
        _values = new long[dimensions * 3];
        Dimensions = dimensions;
        GrantTimestamp = grantTimestamp;
    }

    public int Dimensions { get; }

    public long GrantTimestamp { get; }

    public ref long ReservedTotal(int dimension) => ref _values[dimension];

    public ref long Level(int dimension) => ref _values[Dimensions + dimension];

    public ref long Lowered(int dimension) => ref _values[(2 * Dimensions) + dimension];
}
