using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace FastBucket.Benchmarks.Configuration;

/// <summary>
/// The job for nanosecond-scale operations: few, short iterations, because the bench machine is two shared
/// cores and a full run of every suite must fit in about a quarter of an hour. BDN still removes its own
/// overhead and reports the spread, which is what the noise caveat in perf-results/README.md is about.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class MicroJobAttribute : JobConfigBaseAttribute
{
    public MicroJobAttribute()
        : base(Job.Default
            .WithId("Micro")
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(15)
            .WithIterationTime(TimeInterval.FromMilliseconds(100)))
    {
    }
}
