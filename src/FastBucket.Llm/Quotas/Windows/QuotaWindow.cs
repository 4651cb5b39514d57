namespace FastBucket.Quotas.Windows;

/// <summary>
/// How one dimension of a quota counts over time: a continuously refilled token bucket, a safe-shape sliding log or
/// a calendar-day counter. The quota takes, adjusts and waits through this one face, whatever the provider's
/// accounting; <see cref="QuotaWindowing"/> chooses which per provider and dimension.
/// </summary>
internal abstract class QuotaWindow : IDisposable
{
    /// <summary>The limit per window as configured or learned.</summary>
    public abstract long Limit { get; }

    /// <summary>The largest single charge that can ever be granted.</summary>
    public abstract long Capacity { get; }

    /// <summary>What could be taken now (negative in debt).</summary>
    public abstract long Available { get; }

    /// <summary>
    /// What is left of the limit over its whole window, as a provider's remaining count reports it: <see cref="Available"/>,
    /// except where a burst rule admits less now than the window has left (the safe shape), which the provider's
    /// remaining knows nothing of.
    /// </summary>
    public virtual long Room => Available;

    /// <summary>The sustained rate, per second: what comes back over time after a charge (zero within a calendar day).</summary>
    public abstract double TokensPerSecond { get; }

    /// <summary>When the window starts again from zero, for windows that reset at an instant (calendar days); else <see langword="null"/>.</summary>
    public virtual DateTimeOffset? NextReset => null;

    /// <summary>Takes <paramref name="amount"/> now if there is room; <paramref name="ticket"/> names the charge for <see cref="Adjust"/>.</summary>
    public abstract bool TryTake(long amount, out long ticket);

    /// <summary>Changes the charge named by <paramref name="ticket"/>: negative gives back, positive charges more (debt).</summary>
    public abstract void Adjust(long ticket, long delta);

    /// <summary>
    /// Charges <paramref name="amount"/> now even beyond the limit: use the provider counted and we did not make. A
    /// window that frees charges at instants frees it after <paramref name="freesAfter"/> (the provider's reset) when
    /// given; a bucket refills it continuously, a calendar day at midnight.
    /// </summary>
    public abstract void Charge(long amount, TimeSpan? freesAfter = null);

    /// <summary>Lowers what is left to at most <paramref name="remaining"/>, freeing as in <see cref="Charge"/>; never raises it.</summary>
    public abstract void ReduceAvailableTo(long remaining, TimeSpan? freesAfter = null);

    /// <summary>How long until <paramref name="amount"/> could be taken given no other demand: zero if now, <see cref="Timeout.InfiniteTimeSpan"/> if it exceeds <see cref="Capacity"/>.</summary>
    public abstract TimeSpan TimeUntil(long amount);

    /// <summary>Changes the limit, keeping what is charged.</summary>
    public abstract void SetLimit(long limit);

    /// <summary>
    /// Counts the charge named by <paramref name="ticket"/> from now, where the window frees charges a window after
    /// they were taken: its answer has come, and the provider admitted it no later than that. Others ignore it.
    /// </summary>
    public virtual void Restamp(long ticket)
    {
    }

    /// <summary>
    /// Forgets charges the provider reports it no longer counts, where the window keeps its charges apart (the safe
    /// shape's log; see <see cref="SlidingWindowLog.Forget"/>): <paramref name="remaining"/> is the provider's count when
    /// it admitted the charge named by <paramref name="ticket"/>, <paramref name="unseenBefore"/> what was in flight
    /// before it. A bucket refills on its own and a calendar day resets at midnight: they ignore it.
    /// </summary>
    public virtual void Forget(long ticket, long remaining, long unseenBefore)
    {
    }

    /// <summary>
    /// Earns no burst refill until <paramref name="timestamp"/> or <see cref="ResumeRefill"/>, where the window has a
    /// refilling burst: the quota has no answer yet, so its sends may reach the provider together. Others ignore it.
    /// </summary>
    public virtual void HoldRefillUntil(long timestamp)
    {
    }

    /// <summary>Ends a <see cref="HoldRefillUntil"/> now.</summary>
    public virtual void ResumeRefill()
    {
    }

    /// <summary>Shrinks the burst without lowering the throughput, where the window has a burst rule; false otherwise.</summary>
    public virtual bool ShrinkBurst() => false;

    /// <summary>Uses up the window: nothing more until it frees (a calendar day: until its next midnight).</summary>
    public virtual void Exhaust() => ReduceAvailableTo(0);

    /// <inheritdoc/>
    public virtual void Dispose()
    {
    }
}
