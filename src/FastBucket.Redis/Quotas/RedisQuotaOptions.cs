using Microsoft.Extensions.Logging;

namespace FastBucket.Redis;

/// <summary>
/// How <see cref="RedisQuota"/> keeps one account's limits in Redis. Plain settable properties, so configuration
/// binding can fill them; every value is checked once, together, by <see cref="Validate"/> when a quota is created or
/// the registry is set up (<c>UseRedis</c>, <c>AddFastBucketRedis</c>), and the first bad one is named.
/// </summary>
public sealed class RedisQuotaOptions
{
    /// <summary>
    /// The first part of every key (default <c>fastbucket</c>): a quota lives in
    /// <c>{prefix:provider:account:model}</c>, a hash tag, so Redis Cluster keeps its keys on one node. It must not be
    /// empty nor contain a brace.
    /// </summary>
    public string KeyPrefix { get; set; } = "fastbucket";

    /// <summary>What to do while Redis is unreachable (default <see cref="RedisFailurePolicy.DegradeToLocal"/>).</summary>
    public RedisFailurePolicy FailurePolicy { get; set; } = RedisFailurePolicy.DegradeToLocal;

    /// <summary>How many processes share the quotas (default 1, at least 1): with <see cref="RedisFailurePolicy.DegradeToLocal"/> each holds 1/N of every limit during an outage.</summary>
    public int ExpectedInstances { get; set; } = 1;

    /// <summary>How long one Redis operation may take, blocking or not, before Redis counts as unreachable (default 1 s; positive).</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a concurrency slot held in Redis outlives a process that died holding it (default 10 minutes, at least
    /// one second). A request still running after this stops counting against <see cref="Quotas.QuotaLimits.MaxConcurrency"/>.
    /// </summary>
    public TimeSpan ConcurrencyLeaseDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How often a waiter blocked only by the shared concurrency limit asks Redis again (default 50 ms, at least 1 ms):
    /// a slot freed by another process is seen no later than this. Slots freed in this process wake the waiter at once.
    /// </summary>
    public TimeSpan ConcurrencyPollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The clock for local waits and backoff; <see langword="null"/> for the registry's clock, else <see cref="TimeProvider.System"/>. Bucket time always comes from the Redis server.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where Redis failures are logged (an outage's start as a warning; NOPERM, OOM or a script error as an error); <see langword="null"/> for none. They are counted in the <c>fastbucket.redis.failures</c> metric either way.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>
    /// The provider's enforcement the shared buckets follow (<see cref="Quotas.Windows.QuotaWindowing.For"/>), or
    /// <see langword="null"/> (the default) for continuous buckets, as a bare <see cref="Quotas.LlmQuota"/> keeps. Where
    /// it is not a continuous bucket, each per-minute dimension also keeps, in Redis, a bucket of one burst period's
    /// share (less <see cref="Quotas.Windows.QuotaWindowing.ExpiryMargin"/>) refilled at the limit's rate, so that a fresh
    /// or idle quota never sends a whole minute at once into a provider that enforces shorter periods, and the safe
    /// shape's window rule: at most the limit in any minute (counted per second of Redis's clock, each count kept a
    /// minute, the second's end and the expiry margin; a charge answered in a later second moves there when its
    /// reservation ends), so that the burst on top of a full minute's refill never reaches a provider that counts fixed
    /// windows or a sliding log. <c>UseRedis</c> sets the registry's windowing for each
    /// quota, the provider's documented one by default.
    /// </summary>
    public Quotas.Windows.QuotaWindowing? Windowing { get; set; }

    /// <summary>Test seam: the script takes "now" from <see cref="TimeProvider"/> instead of the server's <c>TIME</c>, so a fake clock drives the buckets.</summary>
    internal bool UseClientClock { get; set; }

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">The key prefix is empty or contains a brace.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range; the message names it and the range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(KeyPrefix) || KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException($"KeyPrefix '{KeyPrefix}' must be non-empty and contain no '{{' or '}}': the quota key is a hash tag.", nameof(KeyPrefix));
        }

        if (!Enum.IsDefined(FailurePolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(FailurePolicy), FailurePolicy, $"FailurePolicy must be {RedisFailurePolicy.FailClosed} or {RedisFailurePolicy.DegradeToLocal}.");
        }

        Check(ExpectedInstances >= 1, nameof(ExpectedInstances), ExpectedInstances, "at least 1");
        Check(OperationTimeout > TimeSpan.Zero, nameof(OperationTimeout), OperationTimeout, "positive");
        Check(ConcurrencyLeaseDuration >= TimeSpan.FromSeconds(1), nameof(ConcurrencyLeaseDuration), ConcurrencyLeaseDuration, "at least one second");
        Check(ConcurrencyPollInterval >= TimeSpan.FromMilliseconds(1), nameof(ConcurrencyPollInterval), ConcurrencyPollInterval, "at least one millisecond");
        Windowing?.Validate();

        static void Check(bool ok, string name, object value, string range)
        {
            if (!ok)
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be {range}.");
            }
        }
    }

    internal RedisQuotaOptions Clone() => (RedisQuotaOptions)MemberwiseClone();
}
