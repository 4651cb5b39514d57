using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using FastBucket.Benchmarks.Competitors;
using FastBucket.Benchmarks.Configuration;
using FastBucket.Benchmarks.Harness;

namespace FastBucket.Benchmarks.Suites;

/// <summary>
/// A limiter per key over 10,000 keys (for example one per tenant or API key), every key hit in turn:
/// a <see cref="ConcurrentDictionary{TKey, TValue}"/> of <see cref="TokenBucket"/>s (lock-free reads, then
/// the bucket's CAS) against the runtime's <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/>
/// with token-bucket partitions, written the way its documentation shows. Keys are strings built once.
/// Every acquire is a grant (each partition: 10^6 burst, 10^6/s).
/// </summary>
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
    private ConcurrentDictionary<string, TokenBucket> _buckets = null!;
    private Func<string, TokenBucket> _createBucket = null!;
    private PartitionedRateLimiter<string> _runtime = null!;
    private Func<int, int, long> _bucketsBody = null!;
    private Func<int, int, long> _runtimeBody = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _keys = new string[Keys];
        for (int i = 0; i < Keys; i++)
        {
            _keys[i] = "tenant-" + i.ToString("D5", CultureInfo.InvariantCulture);
        }

        _gang = new ThreadGang(Threads);
        _buckets = new ConcurrentDictionary<string, TokenBucket>(StringComparer.Ordinal);
        _createBucket = static _ => new TokenBucket(PartitionCapacity, PartitionCapacity);

        var options = RuntimeTokenBuckets.Options(PartitionCapacity, PartitionCapacity / 10, TimeSpan.FromMilliseconds(100), queueLimit: 0, autoReplenishment: true);
        Func<string, TokenBucketRateLimiterOptions> partitionOptions = _ => options;
        _runtime = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, partitionOptions));

        // Each thread starts at its own offset, so two threads do not walk the same keys in lock step.
        _bucketsBody = (thread, operations) =>
        {
            var keys = _keys;
            long granted = 0;
            int k = thread * (Keys / 2);
            for (int i = 0; i < operations; i++)
            {
                granted += _buckets.GetOrAdd(keys[k], _createBucket).TryAcquire() ? 1 : 0;
                k = k == Keys - 1 ? 0 : k + 1;
            }

            return granted;
        };
        _runtimeBody = (thread, operations) =>
        {
            var keys = _keys;
            long granted = 0;
            int k = thread * (Keys / 2);
            for (int i = 0; i < operations; i++)
            {
                using var lease = _runtime.AttemptAcquire(keys[k]);
                granted += lease.IsAcquired ? 1 : 0;
                k = k == Keys - 1 ? 0 : k + 1;
            }

            return granted;
        };

        // Create every partition up front: the benchmark measures the steady state, not first use.
        FastBucketDictionary();
        RuntimePartitioned();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gang.Dispose();
        foreach (var bucket in _buckets.Values)
        {
            bucket.Dispose();
        }

        _runtime.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalOperations)]
    public void FastBucketDictionary() =>
        SanityCheck.ExpectCount(nameof(FastBucketDictionary), TotalOperations, _gang.Run(_bucketsBody, TotalOperations / Threads));

    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public void RuntimePartitioned() =>
        SanityCheck.ExpectCount(nameof(RuntimePartitioned), TotalOperations, _gang.Run(_runtimeBody, TotalOperations / Threads));
}
