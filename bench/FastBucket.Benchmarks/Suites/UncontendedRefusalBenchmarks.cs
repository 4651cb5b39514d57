using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using FastBucket.Benchmarks.Clocks;
using FastBucket.Benchmarks.Competitors;
using FastBucket.Benchmarks.Configuration;

namespace FastBucket.Benchmarks.Suites;

/// <summary>
/// One thread, traffic over the limit: every limiter is empty (capacity 1, refilled at one token per day),
/// so each call is a refusal. This is the path a limiter spends its time on when it is doing its job under
/// overload, and the one where an allocation per call (a failed lease, an exception) would hurt most.
/// </summary>
[MicroJob]
[MemoryDiagnoser]
[ThreadingDiagnoser]
public class UncontendedRefusalBenchmarks
{
    private const double OnePerDay = 1.0 / 86_400;

    private ClockAndCasFloor _floor = null!;
    private TokenBucket _bucket = null!;
    private TokenBucket _bucketCoarseClock = null!;
    private MonitorGcraBucket _monitor = null!;
    private SpinLockGcraBucket _spinLock = null!;
    private TokenBucketRateLimiter _runtimeAuto = null!;
    private TokenBucketRateLimiter _runtimeManual = null!;
    private SleepPollingLimiter _sleepPolling = null!;

    [GlobalSetup]
    public void Setup()
    {
        _floor = new ClockAndCasFloor();
        _bucket = new TokenBucket(1, OnePerDay, initialTokens: 0);
        _bucketCoarseClock = new TokenBucket(1, OnePerDay, CoarseTimeProvider.Instance, initialTokens: 0);
        _monitor = new MonitorGcraBucket(1, OnePerDay, 0);
        _spinLock = new SpinLockGcraBucket(1, OnePerDay, 0);
        _runtimeAuto = RuntimeTokenBuckets.AutoReplenishing(1, 1, TimeSpan.FromDays(1));
        _runtimeManual = RuntimeTokenBuckets.Manual(1, 1, TimeSpan.FromDays(1));
        RuntimeTokenBuckets.Drain(_runtimeAuto);
        RuntimeTokenBuckets.Drain(_runtimeManual);
        _sleepPolling = new SleepPollingLimiter(1, OnePerDay, 0, TimeSpan.FromMilliseconds(1));

        SanityCheck.Expect(false, FastBucket(), FastBucketRetryAfter(), FastBucketCoarseClock(), Monitor(), SpinLock(),
            RuntimeAuto(), RuntimeManual(), SleepPolling());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bucket.Dispose();
        _bucketCoarseClock.Dispose();
        _runtimeAuto.Dispose();
        _runtimeManual.Dispose();
    }

    /// <summary>One Stopwatch read and one CAS, for scale (a refusal needs no CAS at all).</summary>
    [Benchmark]
    public bool Floor() => _floor.TryAcquire();

    [Benchmark(Baseline = true)]
    public bool FastBucket() => _bucket.TryAcquire();

    /// <summary>The refusal that also computes the Retry-After a caller would report.</summary>
    [Benchmark]
    public bool FastBucketRetryAfter() => _bucket.TryAcquire(1, out _);

    [Benchmark]
    public bool FastBucketCoarseClock() => _bucketCoarseClock.TryAcquire();

    [Benchmark]
    public bool Monitor() => _monitor.TryAcquire();

    [Benchmark]
    public bool SpinLock() => _spinLock.TryAcquire();

    /// <summary>A failed lease carries its Retry-After as metadata.</summary>
    [Benchmark]
    public bool RuntimeAuto()
    {
        using var lease = _runtimeAuto.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    [Benchmark]
    public bool RuntimeManual()
    {
        _runtimeManual.TryReplenish();
        using var lease = _runtimeManual.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    [Benchmark]
    public bool SleepPolling() => _sleepPolling.TryAcquire();
}
