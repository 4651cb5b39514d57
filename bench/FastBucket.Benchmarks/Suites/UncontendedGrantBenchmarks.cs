using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using FastBucket.Benchmarks.Clocks;
using FastBucket.Benchmarks.Competitors;
using FastBucket.Benchmarks.Configuration;

namespace FastBucket.Benchmarks.Suites;

/// <summary>
/// One thread, tokens always there: the cost of a grant. Every limiter gets a burst and rate (10^9 tokens,
/// 10^9 tokens/s) that one thread can never drain, so each call really takes a token and changes the state.
/// </summary>
/// <remarks>BenchmarkDotNet derives from suite classes, so they cannot be sealed.</remarks>
[MicroJob]
[MemoryDiagnoser]
[ThreadingDiagnoser]
public class UncontendedGrantBenchmarks
{
    private const long Capacity = 1_000_000_000;
    private const double TokensPerSecond = 1e9;

    private ClockAndCasFloor _floor = null!;
    private TokenBucket _bucket = null!;
    private TokenBucket _bucketVirtualClock = null!;
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
        _bucket = new TokenBucket(Capacity, TokensPerSecond);
        _bucketVirtualClock = new TokenBucket(Capacity, TokensPerSecond, VirtualStopwatchTimeProvider.Instance);
        _bucketCoarseClock = new TokenBucket(Capacity, TokensPerSecond, CoarseTimeProvider.Instance);
        _monitor = new MonitorGcraBucket(Capacity, TokensPerSecond, Capacity);
        _spinLock = new SpinLockGcraBucket(Capacity, TokensPerSecond, Capacity);

        // The runtime limiter's token limit is an int: 2^31 - 1 of burst, 10^6 tokens every millisecond.
        _runtimeAuto = RuntimeTokenBuckets.AutoReplenishing(int.MaxValue, 1_000_000, TimeSpan.FromMilliseconds(1));
        _runtimeManual = RuntimeTokenBuckets.Manual(int.MaxValue, 1_000_000, TimeSpan.FromMilliseconds(1));
        _sleepPolling = new SleepPollingLimiter(Capacity, TokensPerSecond, Capacity, TimeSpan.FromMilliseconds(1));

        SanityCheck.Expect(true, Floor(), FastBucket(), FastBucketVirtualClock(), FastBucketCoarseClock(), Monitor(), SpinLock(),
            RuntimeAuto(), RuntimeManual(), SleepPolling());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bucket.Dispose();
        _bucketVirtualClock.Dispose();
        _bucketCoarseClock.Dispose();
        _runtimeAuto.Dispose();
        _runtimeManual.Dispose();
    }

    /// <summary>One Stopwatch read and one CAS.</summary>
    [Benchmark]
    public bool Floor() => _floor.TryAcquire();

    [Benchmark(Baseline = true)]
    public bool FastBucket() => _bucket.TryAcquire();

    /// <summary>The same bucket reading the same clock through a TimeProvider's virtual call.</summary>
    [Benchmark]
    public bool FastBucketVirtualClock() => _bucketVirtualClock.TryAcquire();

    /// <summary>The same bucket on <see cref="CoarseTimeProvider"/> (Environment.TickCount64).</summary>
    [Benchmark]
    public bool FastBucketCoarseClock() => _bucketCoarseClock.TryAcquire();

    [Benchmark]
    public bool Monitor() => _monitor.TryAcquire();

    [Benchmark]
    public bool SpinLock() => _spinLock.TryAcquire();

    /// <summary>Timer-replenished: the acquire reads no clock at all.</summary>
    [Benchmark]
    public bool RuntimeAuto()
    {
        using var lease = _runtimeAuto.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    /// <summary>Caller-replenished: <c>TryReplenish</c> (a clock read under the limiter's lock) before each acquire.</summary>
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
