using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using FastBucket.Benchmarks.Competitors;
using FastBucket.Benchmarks.Configuration;
using FastBucket.RateLimiting;

namespace FastBucket.Benchmarks.Suites;

/// <summary>
/// Bytes allocated per operation through the System.Threading.RateLimiting adapter, against the bucket's own
/// API and the runtime's limiter: a refusal (each returns a lease object; the bucket returns a bool), and a
/// waited acquire (queued, then served by a refund, then awaited), with and without a cancelable token. The
/// byte counts are the point (deterministic); times on a shared machine are not. A waited case's bytes include
/// the benchmark method's own async frame when the acquire completes asynchronously (the adapter's does: its
/// continuation runs on the thread pool), as they would for any awaiting caller.
/// </summary>
[MicroJob]
[MemoryDiagnoser]
public class AdapterAllocationBenchmarks
{
    private const double OnePerDay = 1.0 / 86_400;

    private TokenBucket _refusingBucket = null!;
    private FastBucketRateLimiter _refusingAdapter = null!;
    private TokenBucketRateLimiter _refusingRuntime = null!;
    private TokenBucket _waitingBucket = null!;
    private FastBucketRateLimiter _waitingAdapter = null!;
    private CancellationTokenSource _cancelable = null!;

    [GlobalSetup]
    public void Setup()
    {
        _refusingBucket = new TokenBucket(1, OnePerDay, initialTokens: 0);
        _refusingAdapter = new FastBucketRateLimiter(_refusingBucket);
        _refusingRuntime = RuntimeTokenBuckets.Manual(1, 1, TimeSpan.FromDays(1));
        RuntimeTokenBuckets.Drain(_refusingRuntime);

        // Empty and refilled once a day: every acquire waits until the benchmark's refund serves it.
        _waitingBucket = new TokenBucket(1, OnePerDay, initialTokens: 0);
        _waitingAdapter = new FastBucketRateLimiter(_waitingBucket);
        _cancelable = new CancellationTokenSource();

        SanityCheck.Expect(false, BucketRefusal(), AdapterRefusal(), RuntimeRefusal());
        SanityCheck.Expect(true, BucketWaitedAcquire(), BucketWaitedAcquireCancelable(),
            AdapterWaitedAcquire().GetAwaiter().GetResult(), AdapterWaitedAcquireCancelable().GetAwaiter().GetResult());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _refusingAdapter.Dispose();
        _refusingBucket.Dispose();
        _refusingRuntime.Dispose();
        _waitingAdapter.Dispose();
        _waitingBucket.Dispose();
        _cancelable.Dispose();
    }

    /// <summary>The bucket's refusal with its Retry-After: a bool and a TimeSpan.</summary>
    [Benchmark(Baseline = true)]
    public bool BucketRefusal() => _refusingBucket.TryAcquire(1, out _);

    /// <summary>The adapter's refusal: a lease carrying the exact Retry-After.</summary>
    [Benchmark]
    public bool AdapterRefusal()
    {
        using var lease = _refusingAdapter.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    /// <summary>The runtime's refusal: a lease carrying its period-based Retry-After.</summary>
    [Benchmark]
    public bool RuntimeRefusal()
    {
        using var lease = _refusingRuntime.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    /// <summary>The bucket's own waited acquire: queued (pooled waiter), served by the refund before it is awaited.</summary>
    [Benchmark]
    public bool BucketWaitedAcquire()
    {
        var wait = _waitingBucket.AcquireAsync(1);
        _waitingBucket.Refund(1);
        wait.GetAwaiter().GetResult();
        return true;
    }

    /// <summary>As <see cref="BucketWaitedAcquire"/> with a cancelable token (a registration per wait).</summary>
    [Benchmark]
    public bool BucketWaitedAcquireCancelable()
    {
        var wait = _waitingBucket.AcquireAsync(1, _cancelable.Token);
        _waitingBucket.Refund(1);
        wait.GetAwaiter().GetResult();
        return true;
    }

    /// <summary>A waited acquire through the adapter, awaited by an async caller.</summary>
    [Benchmark]
    public async Task<bool> AdapterWaitedAcquire()
    {
        var wait = _waitingAdapter.AcquireAsync(1);
        _waitingBucket.Refund(1);
        using var lease = await wait.ConfigureAwait(false);
        return lease.IsAcquired;
    }

    /// <summary>As <see cref="AdapterWaitedAcquire"/> with a cancelable token (the adapter links it with its own).</summary>
    [Benchmark]
    public async Task<bool> AdapterWaitedAcquireCancelable()
    {
        var wait = _waitingAdapter.AcquireAsync(1, _cancelable.Token);
        _waitingBucket.Refund(1);
        using var lease = await wait.ConfigureAwait(false);
        return lease.IsAcquired;
    }
}
