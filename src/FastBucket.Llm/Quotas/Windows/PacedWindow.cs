using System.Diagnostics;
using FastBucket.Quotas.Congestion;

namespace FastBucket.Quotas.Windows;

/// <summary>
/// A request window with a pace: while the <see cref="RequestPace"/> share is below the whole, a take must also pass a
/// token bucket refilled at that share of the limit's rate and holding one request. The window itself keeps the
/// whole limit: a minute that already holds the last minute's sends at the old rate is not made to wait for them to
/// expire (halving a sliding window's limit is a pause, not a slower rate). At the whole share there is no bucket and
/// every call goes straight to the window.
/// </summary>
internal sealed class PacedWindow(QuotaWindow inner, TimeProvider timeProvider) : QuotaWindow
{
    private TokenBucket? _pacer;

    /// <summary>The window paced.</summary>
    public QuotaWindow Inner { get; } = inner;

    /// <summary>The rate the pace admits, in requests per second; <see langword="null"/> at the whole share.</summary>
    public double? PacedPerSecond => Volatile.Read(ref _pacer)?.TokensPerSecond;

    public override long Limit => Inner.Limit;

    public override long Capacity => Inner.Capacity;

    public override long Available => Inner.Available;

    public override long Room => Inner.Room;

    public override double TokensPerSecond => Inner.TokensPerSecond;

    public override DateTimeOffset? NextReset => Inner.NextReset;

    /// <summary>
    /// Paces the window at <paramref name="share"/> (in units of 1/<see cref="RequestPace.Whole"/>) of its limit's rate.
    /// Called under the quota's limits lock.
    /// </summary>
    public void SetPace(long share)
    {
        if (share >= RequestPace.Whole)
        {
            // Dropped, not disposed: a take on another thread may still hold it. It never queues a waiter, so it has
            // no timer to stop.
            Volatile.Write(ref _pacer, null);
            return;
        }

        // One request at a time, evenly spaced: after a hold, paced senders probe with one request each instead of
        // sending a burst into a provider that charges refused requests.
        double perSecond = Math.Max(Inner.TokensPerSecond * share / RequestPace.Whole, 1.0 / 86_400);
        if (Volatile.Read(ref _pacer) is { } pacer)
        {
            pacer.SetLimits(1, perSecond);
        }
        else
        {
            Volatile.Write(ref _pacer, new TokenBucket(1, perSecond, timeProvider));
        }
    }

    public override bool TryTake(long amount, out long ticket)
    {
        if (Volatile.Read(ref _pacer) is not { } pacer || amount <= 0)
        {
            return Inner.TryTake(amount, out ticket);
        }

        long paced = Math.Min(amount, pacer.Capacity);
        if (!pacer.TryAcquire(paced))
        {
            ticket = LlmQuota.NoTicket;
            return false;
        }

        if (Inner.TryTake(amount, out ticket))
        {
            return true;
        }

        pacer.Refund(paced);
        return false;
    }

    public override void Adjust(long ticket, long delta)
    {
        Inner.Adjust(ticket, delta);

        // A request given back (never sent) gives its pace back too; an overrun of requests does not exist.
        if (delta < 0 && Volatile.Read(ref _pacer) is { } pacer)
        {
            pacer.Refund(-delta);
        }
    }

    public override void Charge(long amount, TimeSpan? freesAfter = null) => Inner.Charge(amount, freesAfter);

    public override void ReduceAvailableTo(long remaining, TimeSpan? freesAfter = null) => Inner.ReduceAvailableTo(remaining, freesAfter);

    public override TimeSpan TimeUntil(long amount)
    {
        var window = Inner.TimeUntil(amount);
        if (Volatile.Read(ref _pacer) is not { } pacer || amount <= 0 || window == Timeout.InfiniteTimeSpan)
        {
            return window;
        }

        var pace = pacer.TimeUntil(Math.Min(amount, pacer.Capacity));
        Debug.Assert(pace >= TimeSpan.Zero);
        return pace > window ? pace : window;
    }

    public override void SetLimit(long limit) => Inner.SetLimit(limit);

    public override void Restamp(long ticket) => Inner.Restamp(ticket);

    public override void Forget(long ticket, long remaining, long unseenBefore) => Inner.Forget(ticket, remaining, unseenBefore);

    public override void HoldRefillUntil(long timestamp) => Inner.HoldRefillUntil(timestamp);

    public override void ResumeRefill() => Inner.ResumeRefill();

    public override bool ShrinkBurst() => Inner.ShrinkBurst();

    public override void Exhaust() => Inner.Exhaust();

    public override void Dispose()
    {
        Interlocked.Exchange(ref _pacer, null)?.Dispose();
        Inner.Dispose();
    }

    public override string ToString() => PacedPerSecond is { } rate ? $"{Inner} paced at {rate:0.###}/s" : Inner.ToString() ?? string.Empty;
}
