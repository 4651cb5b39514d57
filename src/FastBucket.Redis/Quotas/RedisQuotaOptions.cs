namespace FastBucket.Redis;

/// <summary>How <see cref="RedisQuota"/> keeps one account's limits in Redis.</summary>
public sealed class RedisQuotaOptions
{
    private string _keyPrefix = "fastbucket";
    private int _expectedInstances = 1;
    private TimeSpan _operationTimeout = TimeSpan.FromSeconds(1);
    private TimeSpan _concurrencyLeaseDuration = TimeSpan.FromMinutes(10);
    private TimeSpan _concurrencyPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The first part of every key (default <c>fastbucket</c>): a quota lives in
    /// <c>{prefix:provider:account:model}</c>, a hash tag, so Redis Cluster keeps its keys on one node.
    /// </summary>
    /// <exception cref="ArgumentException">The prefix is empty or contains a brace.</exception>
    public string KeyPrefix
    {
        get => _keyPrefix;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(value));
            if (value.AsSpan().IndexOfAny('{', '}') >= 0)
            {
                throw new ArgumentException("The key prefix must not contain '{' or '}': the quota key is a hash tag.", nameof(value));
            }

            _keyPrefix = value;
        }
    }

    /// <summary>What to do while Redis is unreachable (default <see cref="RedisFailurePolicy.DegradeToLocal"/>).</summary>
    public RedisFailurePolicy FailurePolicy { get; set; } = RedisFailurePolicy.DegradeToLocal;

    /// <summary>How many processes share the quotas (default 1): with <see cref="RedisFailurePolicy.DegradeToLocal"/> each holds 1/N of every limit during an outage.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public int ExpectedInstances
    {
        get => _expectedInstances;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(value));
            _expectedInstances = value;
        }
    }

    /// <summary>How long one Redis operation may take before Redis counts as unreachable (default 1 s).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan OperationTimeout
    {
        get => _operationTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(value));
            _operationTimeout = value;
        }
    }

    /// <summary>
    /// How long a concurrency slot held in Redis outlives a process that died holding it (default 10 minutes).
    /// A request still running after this stops counting against <see cref="Quotas.QuotaLimits.MaxConcurrency"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is under one second.</exception>
    public TimeSpan ConcurrencyLeaseDuration
    {
        get => _concurrencyLeaseDuration;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromSeconds(1), nameof(value));
            _concurrencyLeaseDuration = value;
        }
    }

    /// <summary>
    /// How often a waiter blocked only by the shared concurrency limit asks Redis again (default 50 ms): a slot freed
    /// by another process is seen no later than this. Slots freed in this process wake the waiter at once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is under one millisecond.</exception>
    public TimeSpan ConcurrencyPollInterval
    {
        get => _concurrencyPollInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromMilliseconds(1), nameof(value));
            _concurrencyPollInterval = value;
        }
    }

    /// <summary>The clock for local waits and backoff; <see langword="null"/> for the registry's clock, else <see cref="TimeProvider.System"/>. Bucket time always comes from the Redis server.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Test seam: the script takes "now" from <see cref="TimeProvider"/> instead of the server's <c>TIME</c>, so a fake clock drives the buckets.</summary>
    internal bool UseClientClock { get; set; }

    internal RedisQuotaOptions Clone() => (RedisQuotaOptions)MemberwiseClone();
}
