using FastBucket.Quotas;
using StackExchange.Redis;

namespace FastBucket.Redis;

/// <summary>Makes a <see cref="QuotaRegistry"/> share its quotas through Redis.</summary>
public static class RedisQuotaRegistryOptionsExtensions
{
    /// <summary>
    /// Sets <see cref="QuotaRegistryOptions.QuotaFactory"/> so that every quota the registry creates is a
    /// <see cref="RedisQuota"/> on <paramref name="redis"/>: every process using the same Redis, key prefix and quota
    /// key draws on one set of limits. The registry's burst headroom, queue limit and clock carry over.
    /// </summary>
    /// <param name="options">The registry options.</param>
    /// <param name="redis">The connection, shared by every quota.</param>
    /// <param name="configure">Changes to the Redis options (key prefix, failure policy, instance count, timeout).</param>
    /// <returns><paramref name="options"/>.</returns>
    public static QuotaRegistryOptions UseRedis(this QuotaRegistryOptions options, IConnectionMultiplexer redis, Action<RedisQuotaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(redis);
        var redisOptions = new RedisQuotaOptions();
        configure?.Invoke(redisOptions);
        options.QuotaFactory = (key, limits) =>
        {
            var perQuota = redisOptions.Clone();
            perQuota.TimeProvider ??= options.TimeProvider;
            return new RedisQuota(redis, key, limits, perQuota, options.BurstHeadroom, options.MaxQueuedRequests);
        };
        return options;
    }
}
