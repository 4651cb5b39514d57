using System.Diagnostics;
using FastBucket.Buckets;

namespace FastBucket.Benchmarks.Competitors;

/// <summary>Builds the <see cref="BucketGeneration"/> the lock-based GCRA competitors share with the bucket.</summary>
internal static class GcraGeneration
{
    /// <summary>A generation on the Stopwatch clock starting at <paramref name="initialTokens"/>.</summary>
    public static BucketGeneration Create(long capacity, double tokensPerSecond, long initialTokens)
    {
        var rate = RefillRate.FromTokensPerSecond(tokensPerSecond, nameof(tokensPerSecond));
        var generation = new BucketGeneration(capacity, rate, Stopwatch.GetTimestamp(), Stopwatch.Frequency);
        generation.State = generation.TatForLevel(initialTokens << generation.UnitShift, 0);
        return generation;
    }
}
