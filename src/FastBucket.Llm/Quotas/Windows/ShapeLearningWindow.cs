namespace FastBucket.Quotas.Windows;

/// <summary>
/// A per-minute window whose provider does not document its enforcement: counted in the safe shape (a
/// <see cref="LogWindow"/>) until the quota learns from the provider's resets that it refills continuously
/// (<see cref="ContinuousRefillDetector"/>), then as that bucket; back in the safe shape, its burst shrunk, if the
/// provider then refuses a burst while reporting room. Both switches are made by the quota under its limits lock.
/// </summary>
/// <remarks>
/// Tickets stay meaningful across a switch: the log's are its sequence numbers; the bucket's are
/// <see cref="LlmQuota.NoTicket"/>, which the log ignores, and the bucket ignores tickets. A reconciliation therefore
/// always goes to the window in use: one granted on the log and reconciled on the bucket adjusts the bucket, whose level
/// started from the log's room, which counted that charge.
/// </remarks>
internal sealed class ShapeLearningWindow : QuotaWindow
{
    private readonly LogWindow _log;
    private readonly TimeSpan _window;
    private readonly double _burstHeadroom;
    private readonly TimeProvider _timeProvider;
    private BucketWindow? _bucket;
    private QuotaWindow _current;

    /// <summary>Creates the window in the safe shape.</summary>
    public ShapeLearningWindow(LogWindow log, double burstHeadroom, TimeProvider timeProvider)
    {
        _log = log;
        _window = log.Log.Shape.Window;
        _burstHeadroom = burstHeadroom;
        _timeProvider = timeProvider;
        _current = log;
    }

    /// <summary>Whether the window counts as a continuously refilled bucket now.</summary>
    public bool IsBucket => Current is BucketWindow;

    /// <summary>The safe-shape log (in use until the window becomes a bucket, and again after it returns).</summary>
    public LogWindow SafeShape => _log;

    private QuotaWindow Current => Volatile.Read(ref _current);

    public override long Limit => Current.Limit;

    public override long Capacity => Current.Capacity;

    public override long Available => Current.Available;

    public override long Room => Current.Room;

    public override double TokensPerSecond => Current.TokensPerSecond;

    /// <summary>
    /// Counts from now on as a continuously refilled bucket of the limit, starting from the log's room (what the last
    /// window used stays used, refilling at the limit's rate). Once only; called under the quota's limits lock.
    /// </summary>
    public void BecomeBucket()
    {
        if (_bucket is not null)
        {
            return;
        }

        var bucket = new BucketWindow(_log.Limit, _window, _burstHeadroom, _timeProvider);
        long room = _log.Room;
        bucket.ReduceAvailableTo(room);
        _bucket = bucket;
        Volatile.Write(ref _current, bucket);

        // A take that reached the log between reading its room and the switch is charged to the bucket too.
        long takenMeanwhile = room - _log.Room;
        if (takenMeanwhile > 0)
        {
            bucket.Charge(takenMeanwhile);
        }
    }

    /// <summary>
    /// Returns to the safe shape with its burst shrunk: the provider refused a burst the bucket admitted. What the bucket
    /// holds used counts in the log for a whole window. Returns whether the window was a bucket; called under the
    /// quota's limits lock.
    /// </summary>
    public bool ReturnToSafeShape()
    {
        if (Current is not BucketWindow bucket)
        {
            return false;
        }

        _log.ReduceAvailableTo(bucket.Available);
        Volatile.Write(ref _current, _log);
        _log.ShrinkBurst();
        return true;
    }

    public override bool TryTake(long amount, out long ticket)
    {
        while (true)
        {
            var current = Current;
            bool taken = current.TryTake(amount, out ticket);
            if (current is BucketWindow)
            {
                ticket = LlmQuota.NoTicket;
            }

            if (ReferenceEquals(current, Current))
            {
                return taken;
            }

            // Switched while taking: what the old window counted is not what the new one enforces.
            if (taken)
            {
                current.Adjust(ticket, -amount);
            }
        }
    }

    public override void Adjust(long ticket, long delta) => Current.Adjust(ticket, delta);

    public override void Charge(long amount, TimeSpan? freesAfter = null) => Current.Charge(amount, freesAfter);

    public override void ReduceAvailableTo(long remaining, TimeSpan? freesAfter = null) => Current.ReduceAvailableTo(remaining, freesAfter);

    public override TimeSpan TimeUntil(long amount) => Current.TimeUntil(amount);

    public override void SetLimit(long limit)
    {
        _log.SetLimit(limit);
        _bucket?.SetLimit(limit);
    }

    public override bool ShrinkBurst() => Current.ShrinkBurst();

    public override void Restamp(long ticket) => Current.Restamp(ticket);

    public override void Forget(long ticket, long remaining, long unseenBefore) => Current.Forget(ticket, remaining, unseenBefore);

    public override void HoldRefillUntil(long timestamp) => _log.HoldRefillUntil(timestamp);

    public override void ResumeRefill() => _log.ResumeRefill();

    public override void Dispose()
    {
        _log.Dispose();
        _bucket?.Dispose();
    }

    public override string ToString() => IsBucket ? $"{Current} (learned: refills continuously)" : Current.ToString() ?? string.Empty;
}
