using FastBucket.Quotas;
using StackExchange.Redis;

namespace FastBucket.Redis;

/// <summary>Makes a <see cref="QuotaRegistry"/> share its quotas through Redis.</summary>
public static class RedisQuotaRegistryOptionsExtensions
{
    /// <summary>
    /// Sets <see cref="QuotaRegistryOptions.QuotaFactory"/> so that every quota the registry creates is a
    /// <see cref="RedisQuota"/> on <paramref name="redis"/>: every process using the same Redis, key prefix and quota
    /// key draws on one set of limits. Quotas whose limits are unknown discover them (<see cref="RedisQuota.CreateDiscovering"/>)
    /// when <see cref="QuotaRegistryOptions.DiscoverUnknownLimits"/> is on. The registry's burst headroom, queue limit,
    /// clock and windowing (<see cref="RedisQuotaOptions.Windowing"/>, the provider's documented one by default) carry over. The Redis options are validated here, once.
    /// </summary>
    /// <param name="options">The registry options.</param>
    /// <param name="redis">The connection, shared by every quota.</param>
    /// <param name="configure">Changes to the Redis options (key prefix, failure policy, instance count, timeout).</param>
    /// <exception cref="ArgumentException">A Redis option is out of its range (see <see cref="RedisQuotaOptions.Validate"/>).</exception>
    /// <returns><paramref name="options"/>.</returns>
    public static QuotaRegistryOptions UseRedis(this QuotaRegistryOptions options, IConnectionMultiplexer redis, Action<RedisQuotaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(redis);
        var redisOptions = new RedisQuotaOptions();
        configure?.Invoke(redisOptions);
        redisOptions.Validate();
        RedisQuotaOptions PerQuota(QuotaKey key)
        {
            var perQuota = redisOptions.Clone();
            perQuota.TimeProvider ??= options.TimeProvider;

            // The same enforcement the registry gives its in-process quotas: the provider's documented one by default.
            perQuota.Windowing ??= options.Windowing?.Invoke(key) ?? Quotas.Windows.QuotaWindowing.For(key.Provider);
            return perQuota;
        }

        options.QuotaFactory = (key, limits) => new RedisQuota(redis, key, limits, PerQuota(key), options.BurstHeadroom, options.MaxQueuedRequests);
        options.DiscoveringQuotaFactory = (key, concurrency) => RedisQuota.CreateDiscovering(redis, key, concurrency, PerQuota(key), options.BurstHeadroom, options.MaxQueuedRequests);
        return options;
    }
}
