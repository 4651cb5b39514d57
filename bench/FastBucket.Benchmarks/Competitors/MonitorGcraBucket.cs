using System.Diagnostics;
using FastBucket.Buckets;

namespace FastBucket.Benchmarks.Competitors;

/// <summary>
/// The bucket's own GCRA arithmetic (the same <see cref="BucketGeneration"/>: virtual clock, units, capacity
/// check) with the state word guarded by <see langword="lock"/> (Monitor) instead of a CAS. The difference
/// to <see cref="TokenBucket"/> is the synchronisation and nothing else.
/// </summary>
internal sealed class MonitorGcraBucket
{
    private readonly object _gate = new();
    private readonly BucketGeneration _generation;

    public MonitorGcraBucket(long capacity, double tokensPerSecond, long initialTokens)
    {
        _generation = GcraGeneration.Create(capacity, tokensPerSecond, initialTokens);
    }

    public bool TryAcquire(long tokens = 1)
    {
        // The clock is read outside the lock, as the bucket does: the best case for the lock variant
        // (a shorter critical section), and an older timestamp only errs towards refusing.
        long now = Stopwatch.GetTimestamp();
        var generation = _generation;
        lock (_gate)
        {
            long v = generation.VirtualTime(now);
            long next = Math.Max(generation.State, v) + (tokens << generation.UnitShift);
            if (next - v > generation.CapacityUnits)
            {
                return false;
            }

            generation.State = next;
            return true;
        }
    }
}
