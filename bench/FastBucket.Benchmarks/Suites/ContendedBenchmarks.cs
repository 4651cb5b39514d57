using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using FastBucket.Benchmarks.Clocks;
using FastBucket.Benchmarks.Competitors;
using FastBucket.Benchmarks.Configuration;
using FastBucket.Benchmarks.Harness;

namespace FastBucket.Benchmarks.Suites;

/// <summary>
/// Total grant throughput of one shared limiter hammered by N threads: each invocation has N threads each
/// do <see cref="TotalOperations"/> / N acquires back to back, so the reported time per operation is wall
/// time over all threads' operations (ops/s = N × per-thread rate). Tokens are always there (10^9 burst,
/// 10^9/s), so every acquire is a grant and a write to the shared state.
/// </summary>
/// <remarks>
/// On a machine with fewer cores than threads (the bench machine has two), 4 and 8 threads measure
/// oversubscription: a thread preempted inside a lock holds everyone up, a preempted lock-free thread
/// holds up no one.
/// </remarks>
[MacroJob]
[MemoryDiagnoser]
[ThreadingDiagnoser]
public class ContendedBenchmarks
{
    /// <summary>Acquires per invocation, over all threads (divisible by every thread count).</summary>
    public const int TotalOperations = 1 << 19;

    private const long Capacity = 1_000_000_000;
    private const double TokensPerSecond = 1e9;

    private ThreadGang _gang = null!;
    private ClockAndCasFloor _floor = null!;
    private TokenBucket _bucket = null!;
    private TokenBucket _bucketCoarseClock = null!;
    private MonitorGcraBucket _monitor = null!;
    private SpinLockGcraBucket _spinLock = null!;
    private TokenBucketRateLimiter _runtimeAuto = null!;
    private TokenBucketRateLimiter _runtimeManual = null!;

    private Func<int, int, long> _floorBody = null!;
    private Func<int, int, long> _bucketBody = null!;
    private Func<int, int, long> _bucketCoarseClockBody = null!;
    private Func<int, int, long> _monitorBody = null!;
    private Func<int, int, long> _spinLockBody = null!;
    private Func<int, int, long> _runtimeAutoBody = null!;
    private Func<int, int, long> _runtimeManualBody = null!;

    [Params(1, 2, 4, 8)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _gang = new ThreadGang(Threads);
        _floor = new ClockAndCasFloor();
        _bucket = new TokenBucket(Capacity, TokensPerSecond);
        _bucketCoarseClock = new TokenBucket(Capacity, TokensPerSecond, CoarseTimeProvider.Instance);
        _monitor = new MonitorGcraBucket(Capacity, TokensPerSecond, Capacity);
        _spinLock = new SpinLockGcraBucket(Capacity, TokensPerSecond, Capacity);
        _runtimeAuto = RuntimeTokenBuckets.AutoReplenishing(int.MaxValue, 1_000_000, TimeSpan.FromMilliseconds(1));
        _runtimeManual = RuntimeTokenBuckets.Manual(int.MaxValue, 1_000_000, TimeSpan.FromMilliseconds(1));

        // The loops live in lambdas built once, so an invocation allocates nothing; each counts its grants.
        _floorBody = (_, operations) =>
        {
            long granted = 0;
            for (int i = 0; i < operations; i++)
            {
                granted += _floor.TryAcquire() ? 1 : 0;
            }

            return granted;
        };
        _bucketBody = (_, operations) =>
        {
            var bucket = _bucket;
            long granted = 0;
            for (int i = 0; i < operations; i++)
            {
                granted += bucket.TryAcquire() ? 1 : 0;
            }

            return granted;
        };
        _bucketCoarseClockBody = (_, operations) =>
        {
            var bucket = _bucketCoarseClock;
            long granted = 0;
            for (int i = 0; i < operations; i++)
            {
                granted += bucket.TryAcquire() ? 1 : 0;
            }

            return granted;
        };
        _monitorBody = (_, operations) =>
        {
            var monitor = _monitor;
            long granted = 0;
            for (int i = 0; i < operations; i++)
            {
                granted += monitor.TryAcquire() ? 1 : 0;
            }

            return granted;
        };
        _spinLockBody = (_, operations) =>
        {
            var spinLock = _spinLock;
            long granted = 0;
            for (int i = 0; i < operations; i++)
            {
                granted += spinLock.TryAcquire() ? 1 : 0;
            }

            return granted;
        };
        _runtimeAutoBody = (_, operations) =>
        {
            var limiter = _runtimeAuto;
            long granted = 0;
            for (int i = 0; i < operations; i++)
            {
                using var lease = limiter.AttemptAcquire(1);
                granted += lease.IsAcquired ? 1 : 0;
            }

            return granted;
        };
        _runtimeManualBody = (_, operations) =>
        {
            var limiter = _runtimeManual;
            long granted = 0;
            for (int i = 0; i < operations; i++)
            {
                limiter.TryReplenish();
                using var lease = limiter.AttemptAcquire(1);
                granted += lease.IsAcquired ? 1 : 0;
            }

            return granted;
        };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gang.Dispose();
        _bucket.Dispose();
        _bucketCoarseClock.Dispose();
        _runtimeAuto.Dispose();
        _runtimeManual.Dispose();
    }

    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public void Floor() => Run(nameof(Floor), _floorBody);

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalOperations)]
    public void FastBucket() => Run(nameof(FastBucket), _bucketBody);

    /// <summary>
    /// The same bucket on <see cref="CoarseTimeProvider"/>: the synchronisation without the cost of a
    /// high-resolution clock read, which is what the runtime's timer-replenished limiter avoids too.
    /// </summary>
    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public void FastBucketCoarseClock() => Run(nameof(FastBucketCoarseClock), _bucketCoarseClockBody);

    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public void Monitor() => Run(nameof(Monitor), _monitorBody);

    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public void SpinLock() => Run(nameof(SpinLock), _spinLockBody);

    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public void RuntimeAuto() => Run(nameof(RuntimeAuto), _runtimeAutoBody);

    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public void RuntimeManual() => Run(nameof(RuntimeManual), _runtimeManualBody);

    private void Run(string competitor, Func<int, int, long> body) =>
        SanityCheck.ExpectCount(competitor, TotalOperations, _gang.Run(body, TotalOperations / Threads));
}
