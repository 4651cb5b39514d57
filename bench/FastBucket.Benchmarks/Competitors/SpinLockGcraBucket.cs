using System.Diagnostics;
using FastBucket.Buckets;

namespace FastBucket.Benchmarks.Competitors;

/// <summary>
/// The bucket's own GCRA arithmetic guarded by a <see cref="SpinLock"/> (no owner tracking): the
/// lightest lock the runtime offers, for a critical section a few nanoseconds long.
/// </summary>
internal sealed class SpinLockGcraBucket
{
    private readonly BucketGeneration _generation;

    // A mutable struct: must stay a non-readonly field and is only ever used by reference.
    private SpinLock _lock = new(enableThreadOwnerTracking: false);

    public SpinLockGcraBucket(long capacity, double tokensPerSecond, long initialTokens)
    {
        _generation = GcraGeneration.Create(capacity, tokensPerSecond, initialTokens);
    }

    public bool TryAcquire(long tokens = 1)
    {
        long now = Stopwatch.GetTimestamp();
        var generation = _generation;
        bool taken = false;
        try
        {
            _lock.Enter(ref taken);
            long v = generation.VirtualTime(now);
            long next = Math.Max(generation.State, v) + (tokens << generation.UnitShift);
            if (next - v > generation.CapacityUnits)
            {
                return false;
            }

            generation.State = next;
            return true;
        }
        finally
        {
            if (taken)
            {
                _lock.Exit(useMemoryBarrier: false);
            }
        }
    }
}
