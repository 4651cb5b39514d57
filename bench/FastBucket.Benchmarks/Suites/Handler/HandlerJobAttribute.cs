using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace FastBucket.Benchmarks.Suites.Handler;

/// <summary>
/// The job of <see cref="HandlerCostBenchmarks"/>: invocations of tens to hundreds of microseconds, no unrolling, run
/// in this process (the per-suite child build times out on a loaded machine, and the handler's cost does not depend
/// on it).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class HandlerJobAttribute : JobConfigBaseAttribute
{
    public HandlerJobAttribute()
        : base(Job.Default
            .WithId("Handler")
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(5)
            .WithIterationCount(20)
            .WithIterationTime(TimeInterval.FromMilliseconds(250))
            .WithUnrollFactor(1))
    {
    }
}
