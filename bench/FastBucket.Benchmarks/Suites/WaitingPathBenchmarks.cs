using BenchmarkDotNet.Attributes;
using FastBucket.Benchmarks.Configuration;
using FastBucket.Benchmarks.WaitingPath;

namespace FastBucket.Benchmarks.Suites;

/// <summary>
/// The waiting path: 1,000 concurrent async waiters on a limiter refilled at 100,000 tokens/s with a
/// burst of 1,000 (10 ms), each invocation starting from an empty bucket and doing 20,000 acquires, so the
/// ideal is exactly 10,000 ns per acquire. Time per operation shows whether a limiter keeps up with its
/// rate; bytes per operation is what waiting costs the GC. Wake lateness is measured separately
/// (<c>--lateness</c>, see perf-results/waiting-path-lateness.md).
/// </summary>
[WaitingJob]
[MemoryDiagnoser]
[ThreadingDiagnoser]
public class WaitingPathBenchmarks
{
    public const int TokensPerSecond = 100_000;
    public const int Capacity = 1_000;
    public const int Waiters = 1_000;
    public const int AcquiresPerWaiter = 20;
    public const int TotalAcquires = Waiters * AcquiresPerWaiter;

    // Only the measured limiter exists in a run: an idle runtime limiter's 1 ms timer or an idle crew
    // would otherwise run in the background of another limiter's measurement.
    private WaitingPathRig? _rig;

    [GlobalSetup(Target = nameof(FastBucket))]
    public void SetupFastBucket() => _rig = new WaitingPathRig(WaitingLimiter.FastBucket, TokensPerSecond, Capacity, Waiters);

    [GlobalSetup(Target = nameof(RuntimeAuto))]
    public void SetupRuntime() => _rig = new WaitingPathRig(WaitingLimiter.RuntimeTokenBucket, TokensPerSecond, Capacity, Waiters);

    [GlobalSetup(Target = nameof(SleepPolling))]
    public void SetupSleepPolling() => _rig = new WaitingPathRig(WaitingLimiter.SleepPolling, TokensPerSecond, Capacity, Waiters);

    [GlobalCleanup]
    public void Cleanup()
    {
        _rig?.Dispose();
        _rig = null;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalAcquires)]
    public long FastBucket() => _rig!.Run(AcquiresPerWaiter);

    /// <summary>The runtime limiter replenished by its timer every millisecond (100 tokens a period), queue limit 1,000.</summary>
    [Benchmark(OperationsPerInvoke = TotalAcquires)]
    public long RuntimeAuto() => _rig!.Run(AcquiresPerWaiter);

    /// <summary>Waiters poll with <c>Task.Delay(1 ms)</c>.</summary>
    [Benchmark(OperationsPerInvoke = TotalAcquires)]
    public long SleepPolling() => _rig!.Run(AcquiresPerWaiter);
}
