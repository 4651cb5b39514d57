using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using FastBucket.Benchmarks.Clocks;
using FastBucket.Benchmarks.Configuration;

namespace FastBucket.Benchmarks.Suites;

/// <summary>
/// What one clock read costs, since a bucket reads the clock on every acquire: the high-resolution
/// Stopwatch (what <see cref="TokenBucket"/> calls directly on the system clock), the coarse
/// <see cref="Environment.TickCount64"/>, and both behind a <see cref="TimeProvider"/>'s virtual call (what an
/// injected clock costs). The clocks' resolutions are printed by <c>--clocks</c>.
/// </summary>
[MicroJob]
[MemoryDiagnoser]
[ThreadingDiagnoser]
public class ClockBenchmarks
{
    // Typed as the base class and not readonly, so the calls are virtual, as they are inside the bucket.
    private TimeProvider _system = null!;
    private TimeProvider _coarse = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = TimeProvider.System;
        _coarse = CoarseTimeProvider.Instance;
    }

    [Benchmark(Baseline = true)]
    public long StopwatchGetTimestamp() => Stopwatch.GetTimestamp();

    [Benchmark]
    public long TickCount64() => Environment.TickCount64;

    [Benchmark]
    public long TimeProviderSystem() => _system.GetTimestamp();

    [Benchmark]
    public long TimeProviderCoarse() => _coarse.GetTimestamp();

    [Benchmark]
    public DateTime DateTimeUtcNow() => DateTime.UtcNow;
}
