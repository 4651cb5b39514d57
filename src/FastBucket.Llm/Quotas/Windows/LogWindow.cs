namespace FastBucket.Quotas.Windows;

/// <summary>A dimension counted in the safe shape (<see cref="SlidingWindowLog"/>); tickets name charges for reconciliation.</summary>
internal sealed class LogWindow(long limit, WindowShape shape, TimeProvider timeProvider) : QuotaWindow
{
    /// <summary>The log itself.</summary>
    public SlidingWindowLog Log { get; } = new(limit, shape, timeProvider);

    public override long Limit => Log.Limit;

    public override long Capacity => Log.Limit;

    public override long Available => Log.Available;

    public override long Room => Log.Limit - Log.InWindow;

    public override double TokensPerSecond => Log.Limit / Log.Shape.Window.TotalSeconds;

    public override bool TryTake(long amount, out long ticket) => Log.TryTake(amount, out ticket);

    public override void Adjust(long ticket, long delta) => Log.Adjust(ticket, delta);

    public override void Charge(long amount, TimeSpan? freesAfter = null) => Log.Charge(amount, freesAfter);

    public override void ReduceAvailableTo(long remaining, TimeSpan? freesAfter = null) => Log.ReduceAvailableTo(remaining, freesAfter);

    public override TimeSpan TimeUntil(long amount) => Log.TimeUntil(amount);

    public override void SetLimit(long limit) => Log.SetLimit(limit);

    public override void Restamp(long ticket) => Log.Restamp(ticket);

    public override void Forget(long ticket, long remaining, long unseenBefore) => Log.Forget(ticket, remaining, unseenBefore);

    public override void HoldRefillUntil(long timestamp) => Log.HoldRefillUntil(timestamp);

    public override void ResumeRefill() => Log.ResumeRefill();

    public override bool ShrinkBurst()
    {
        var before = Log.Shape;
        Log.ShrinkBurst();
        return Log.Shape != before;
    }

    public override string ToString() => Log.ToString();
}
