namespace FastBucket.Quotas.Windows;

/// <summary>
/// A dimension counted as a continuously refilled token bucket (Anthropic documents its limits so): capacity the
/// limit less the burst headroom, refilled at the limit per window. Charges need no ticket.
/// </summary>
internal sealed class BucketWindow : QuotaWindow
{
    private readonly TimeSpan _window;
    private readonly double _burstHeadroom;
    private long _limit;

    public BucketWindow(long limit, TimeSpan window, double burstHeadroom, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        _window = window;
        _burstHeadroom = burstHeadroom;
        _limit = limit;
        Bucket = new TokenBucket(new TokenBucketOptions
        {
            Capacity = CapacityFor(limit),
            TokensPerPeriod = limit,
            RefillPeriod = window,
            TimeProvider = timeProvider,
        });
    }

    /// <summary>The bucket itself.</summary>
    public TokenBucket Bucket { get; }

    public override long Limit => Volatile.Read(ref _limit);

    public override long Capacity => Bucket.Capacity;

    public override long Available => Bucket.Available;

    public override double TokensPerSecond => Bucket.TokensPerSecond;

    public override bool TryTake(long amount, out long ticket)
    {
        ticket = 0;
        return Bucket.TryAcquire(amount);
    }

    public override void Adjust(long ticket, long delta)
    {
        try
        {
            if (delta < 0)
            {
                Bucket.Refund(-delta);
            }
            else if (delta > 0)
            {
                Bucket.ForceAcquire(delta);
            }
        }
        catch (ObjectDisposedException)
        {
            // The dimension was dropped (became unlimited) meanwhile: nothing left to adjust.
        }
    }

    public override void Charge(long amount, TimeSpan? freesAfter = null)
    {
        if (amount > 0)
        {
            Bucket.ForceAcquire(amount);
        }
    }

    public override void ReduceAvailableTo(long remaining, TimeSpan? freesAfter = null) => Bucket.ReduceAvailableTo(remaining);

    public override TimeSpan TimeUntil(long amount) =>
        amount <= 0 ? TimeSpan.Zero : amount > Bucket.Capacity ? Timeout.InfiniteTimeSpan : Bucket.TimeUntil(amount);

    public override void SetLimit(long limit)
    {
        Volatile.Write(ref _limit, limit);
        long capacity = CapacityFor(limit);
        if (Bucket.Capacity != capacity || Bucket.TokensPerSecond != limit / _window.TotalSeconds)
        {
            Bucket.SetLimits(capacity, limit, _window);
        }
    }

    public override void Dispose() => Bucket.Dispose();

    public override string ToString() => Bucket.ToString();

    private long CapacityFor(long limit) => Math.Max(1, limit - (long)(limit * _burstHeadroom));
}
