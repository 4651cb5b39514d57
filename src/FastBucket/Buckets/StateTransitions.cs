namespace FastBucket.Buckets;

// The transitions of the state word other than the hot-path acquire, which TokenBucket.TryAcquire inlines.
// Each keeps the waiters flag and works on the TAT bits only; results come back through fields.

/// <summary>Takes tokens for a queued waiter: like an acquire, but ignoring the waiters flag.</summary>
internal struct GrantTransition(long tokens) : IStateTransition
{
    public bool Granted;

    public long Apply(BucketGeneration generation, long state, long v)
    {
        long next = Math.Max(state & BucketGeneration.TatMask, v) + generation.ToUnits(tokens);
        Granted = next - v <= generation.CapacityUnits;
        return Granted ? (state & ~BucketGeneration.TatMask) | next : state;
    }
}

/// <summary>Gives tokens back, never above capacity (TAT never moves behind V).</summary>
internal readonly struct RefundTransition(long tokens) : IStateTransition
{
    public long Apply(BucketGeneration generation, long state, long v)
    {
        long tat = state & BucketGeneration.TatMask;
        return tat <= v ? state : (state & ~BucketGeneration.TatMask) | Math.Max(v, tat - generation.ToUnits(tokens));
    }
}

/// <summary>Charges tokens unconditionally, into debt down to one year of refill.</summary>
internal struct ForceTransition(long tokens) : IStateTransition
{
    public long Level;

    public long Apply(BucketGeneration generation, long state, long v)
    {
        long tat = Math.Max(state & BucketGeneration.TatMask, v);
        long next = Math.Min(tat + generation.ToUnits(tokens), v + generation.CapacityUnits + generation.MaxDebtUnits);
        Level = generation.LevelUnits(next, v) >> generation.UnitShift;
        return (state & ~BucketGeneration.TatMask) | next;
    }
}

/// <summary>Sets the level to a number of tokens, or only lowers it there.</summary>
internal struct SetLevelTransition(long tokens, bool lowerOnly) : IStateTransition
{
    public bool Changed;

    public long Apply(BucketGeneration generation, long state, long v)
    {
        long limit = long.MaxValue >> (generation.UnitShift + 1);
        long target = generation.TatForLevel(Math.Clamp(tokens, -limit, limit) << generation.UnitShift, v);
        long tat = Math.Max(state & BucketGeneration.TatMask, v);
        Changed = lowerOnly ? target > tat : target != tat;
        return Changed ? (state & ~BucketGeneration.TatMask) | target : state;
    }
}

/// <summary>Sets or clears the waiters flag.</summary>
internal readonly struct WaitersFlagTransition(bool hasWaiters) : IStateTransition
{
    public long Apply(BucketGeneration generation, long state, long v) =>
        hasWaiters ? state | BucketGeneration.WaitersFlag : state & ~BucketGeneration.WaitersFlag;
}
