using System.Diagnostics;

namespace FastBucket.Benchmarks.Competitors;

/// <summary>
/// The floor: one <see cref="Stopwatch.GetTimestamp"/> and one successful CAS on one word, with no limiter
/// math at all. No clock-based lock-free limiter can grant for less; the distance from here to
/// <see cref="TokenBucket.TryAcquire(long)"/> is what the GCRA arithmetic and the checks cost.
/// </summary>
/// <remarks>
/// Like the bucket, a lost CAS re-reads the word and retries without reading the clock again, so under
/// contention the floor pays the same cache-line traffic the bucket does.
/// </remarks>
internal sealed class ClockAndCasFloor
{
    private long _word;

    /// <summary>Reads the clock and moves the word forward; always "grants".</summary>
    public bool TryAcquire()
    {
        long now = Stopwatch.GetTimestamp();
        while (true)
        {
            long seen = Volatile.Read(ref _word);
            if (Interlocked.CompareExchange(ref _word, Math.Max(seen, now) + 1, seen) == seen)
            {
                return true;
            }
        }
    }
}
