using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using FastBucket.Benchmarks.Competitors;
using FastBucket.Benchmarks.Configuration;
using FastBucket.Benchmarks.Harness;
using FastBucket.RateLimiting;

namespace FastBucket.Benchmarks.Suites;

/// <summary>
/// A limiter per key over 10,000 keys (for example one per tenant or API key), every key hit in turn:
/// <see cref="FastBucketPartitionedRateLimiter.Create{TResource, TKey}"/> (a concurrent dictionary read, then
/// the bucket's CAS) against the runtime's <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/>
/// with token-bucket partitions, written the way its documentation shows, both through the same
/// <see cref="PartitionedRateLimiter{TResource}.AttemptAcquire"/> API; and, for scale, a bare
/// <see cref="ConcurrentDictionary{TKey, TValue}"/> of <see cref="TokenBucket"/>s (no lease, no eviction).
/// Keys are strings built once. Every acquire is a grant (each partition: 10^6 burst, 10^6/s).
/// </summary>
/// <remarks>
/// Only the measured limiter exists in a run: the others' eviction and replenishment timers would
/// otherwise scan 10,000 idle partitions in the background of its measurement.
/// </remarks>
[MacroJob]
[MemoryDiagnoser]
[ThreadingDiagnoser]
public class PartitionedBenchmarks
{
    public const int Keys = 10_000;

    /// <summary>Acquires per invocation over all threads: four passes over the keys.</summary>
    public const int TotalOperations = 4 * Keys;

    private const int PartitionCapacity = 1_000_000;

    private string[] _keys = null!;
    private ThreadGang _gang = null!;
    private ConcurrentDictionary<string, TokenBucket>? _buckets;
    private PartitionedRateLimiter<string>? _fastBucket;
    private PartitionedRateLimiter<string>? _runtime;
    private Func<int, int, long> _body = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup(Target = nameof(FastBucketPartitioned))]
    public void SetupFastBucket()
    {
        _fastBucket = FastBucketPartitionedRateLimiter.Create<string, string>(
            static key => key,
            static _ => new TokenBucketOptions { Capacity = PartitionCapacity, TokensPerPeriod = PartitionCapacity, RefillPeriod = TimeSpan.FromSeconds(1) },
            keyComparer: StringComparer.Ordinal);
        Setup(_fastBucket);
        FastBucketPartitioned();
    }

    [GlobalSetup(Target = nameof(RuntimePartitioned))]
    public void SetupRuntime()
    {
        // The runtime's partitioned limiter replenishes every partition from its own 100 ms heartbeat.
        var options = RuntimeTokenBuckets.Options(PartitionCapacity, PartitionCapacity / 10, TimeSpan.FromMilliseconds(100), queueLimit: 0, autoReplenishment: true);
        _runtime = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => options), StringComparer.Ordinal);
        Setup(_runtime);
        RuntimePartitioned();
    }

    [GlobalSetup(Target = nameof(ConcurrentDictionaryOfBuckets))]
    public void SetupDictionary()
    {
        _buckets = new ConcurrentDictionary<string, TokenBucket>(StringComparer.Ordinal);
        Func<string, TokenBucket> create = static _ => new TokenBucket(PartitionCapacity, PartitionCapacity);
        CreateKeysAndGang();

        // Each thread starts at its own offset, so two threads do not walk the same keys in lock step.
        _body = (thread, operations) =>
        {
            var keys = _keys;
            var buckets = _buckets;
            long granted = 0;
            int k = thread * (Keys / 2);
            for (int i = 0; i < operations; i++)
            {
                granted += buckets.GetOrAdd(keys[k], create).TryAcquire() ? 1 : 0;
                k = k == Keys - 1 ? 0 : k + 1;
            }

            return granted;
        };

        // Create every partition up front: the benchmark measures the steady state, not first use.
        ConcurrentDictionaryOfBuckets();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gang.Dispose();
        _fastBucket?.Dispose();
        _runtime?.Dispose();
        foreach (var bucket in _buckets?.Values ?? [])
        {
            bucket.Dispose();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalOperations)]
    public void FastBucketPartitioned() => Run(nameof(FastBucketPartitioned));

    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public void RuntimePartitioned() => Run(nameof(RuntimePartitioned));

    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public void ConcurrentDictionaryOfBuckets() => Run(nameof(ConcurrentDictionaryOfBuckets));

    private void Run(string competitor) =>
        SanityCheck.ExpectCount(competitor, TotalOperations, _gang.Run(_body, TotalOperations / Threads));

    private void CreateKeysAndGang()
    {
        _keys = new string[Keys];
        for (int i = 0; i < Keys; i++)
        {
            _keys[i] = "tenant-" + i.ToString("D5", CultureInfo.InvariantCulture);
        }

        _gang = new ThreadGang(Threads);
    }

    private void Setup(PartitionedRateLimiter<string> limiter)
    {
        CreateKeysAndGang();
        _body = (thread, operations) =>
        {
            var keys = _keys;
            long granted = 0;
            int k = thread * (Keys / 2);
            for (int i = 0; i < operations; i++)
            {
                using var lease = limiter.AttemptAcquire(keys[k]);
                granted += lease.IsAcquired ? 1 : 0;
                k = k == Keys - 1 ? 0 : k + 1;
            }

            return granted;
        };
    }
}
