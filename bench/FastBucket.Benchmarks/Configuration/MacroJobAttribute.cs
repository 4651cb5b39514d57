using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace FastBucket.Benchmarks.Configuration;

/// <summary>
/// The job for invocations that are whole loops on several threads (hundreds of thousands of operations,
/// milliseconds each, counted with OperationsPerInvoke): no unrolling, otherwise as <see cref="MicroJobAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class MacroJobAttribute : JobConfigBaseAttribute
{
    public MacroJobAttribute()
        : base(Job.Default
            .WithId("Macro")
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(15)
            .WithIterationTime(TimeInterval.FromMilliseconds(150))
            .WithUnrollFactor(1))
    {
    }
}
