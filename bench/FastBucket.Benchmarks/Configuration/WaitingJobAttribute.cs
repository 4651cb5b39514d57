using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace FastBucket.Benchmarks.Configuration;

/// <summary>
/// The job for the waiting path, where one invocation is a paced run of a fraction of a second: every
/// invocation measured on its own (monitoring strategy, one invocation per iteration, no pilot), each
/// starting from an empty bucket (the rig drains it first).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class WaitingJobAttribute : JobConfigBaseAttribute
{
    public WaitingJobAttribute()
        : base(Job.Default
            .WithId("Waiting")
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(8)
            .WithInvocationCount(1)
            .WithUnrollFactor(1))
    {
    }
}
