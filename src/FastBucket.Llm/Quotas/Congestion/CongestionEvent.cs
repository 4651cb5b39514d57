namespace FastBucket.Quotas.Congestion;

/// <summary>
/// Tells congestion events apart: one starts when a rate-limit error arrives for a request sent after the current
/// event started; every error for a request sent before that first error arrived belongs to the same event. Lock-free:
/// one word changed by CAS. Times are <see cref="TimeProvider.GetTimestamp"/> values of one clock.
/// </summary>
internal sealed class CongestionEvent
{
    private long _start = long.MinValue;

    /// <summary>When the current event started (the arrival of its first error), or <see cref="long.MinValue"/> before any.</summary>
    public long Start => Volatile.Read(ref _start);

    /// <summary>
    /// An error arrived at <paramref name="arrivedAt"/> for a request sent at <paramref name="sentAt"/>: true when it
    /// starts a new event (exactly one caller sees true per event), false when it belongs to the current one.
    /// </summary>
    public bool TryStart(long sentAt, long arrivedAt)
    {
        while (true)
        {
            long start = Volatile.Read(ref _start);
            if (sentAt < start)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _start, Math.Max(arrivedAt, sentAt), start) == start)
            {
                return true;
            }
        }
    }
}
