using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using FastBucket.Benchmarks.Competitors;
using FastBucket.Benchmarks.Configuration;

namespace FastBucket.Benchmarks.Suites;

/// <summary>
/// The async acquire when the tokens are there (the common case of an async caller under its limit): the
/// cost of going through the async API, which should complete synchronously and allocate nothing.
/// A call that did not complete synchronously fails the benchmark rather than being measured as a wait.
/// </summary>
[MicroJob]
[MemoryDiagnoser]
[ThreadingDiagnoser]
public class AsyncAcquireBenchmarks
{
    private const long Capacity = 1_000_000_000;
    private const double TokensPerSecond = 1e9;

    private TokenBucket _bucket = null!;
    private TokenBucketRateLimiter _runtimeAuto = null!;
    private SleepPollingLimiter _sleepPolling = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bucket = new TokenBucket(Capacity, TokensPerSecond);
        _runtimeAuto = RuntimeTokenBuckets.AutoReplenishing(int.MaxValue, 1_000_000, TimeSpan.FromMilliseconds(1), queueLimit: 1);
        _sleepPolling = new SleepPollingLimiter(Capacity, TokensPerSecond, Capacity, TimeSpan.FromMilliseconds(1));
        SanityCheck.Expect(true, FastBucket(), FastBucketWithTimeout(), RuntimeAuto(), SleepPolling());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bucket.Dispose();
        _runtimeAuto.Dispose();
    }

    [Benchmark(Baseline = true)]
    public bool FastBucket()
    {
        var acquire = _bucket.AcquireAsync();
        return acquire.IsCompletedSuccessfully || NotSynchronous();
    }

    /// <summary>The overload with a timeout (a <c>ValueTask&lt;bool&gt;</c>).</summary>
    [Benchmark]
    public bool FastBucketWithTimeout()
    {
        var acquire = _bucket.AcquireAsync(1, TimeSpan.FromSeconds(1));
        return acquire.IsCompletedSuccessfully ? acquire.Result : NotSynchronous();
    }

    [Benchmark]
    public bool RuntimeAuto()
    {
        var acquire = _runtimeAuto.AcquireAsync(1);
        if (!acquire.IsCompletedSuccessfully)
        {
            return NotSynchronous();
        }

        using var lease = acquire.Result;
        return lease.IsAcquired;
    }

    [Benchmark]
    public bool SleepPolling()
    {
        var acquire = _sleepPolling.AcquireAsync();
        return acquire.IsCompletedSuccessfully || NotSynchronous();
    }

    private static bool NotSynchronous() =>
        throw new InvalidOperationException("The acquire did not complete synchronously although tokens were there.");
}
