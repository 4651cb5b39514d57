using FastBucket.Quotas;
using FastBucket.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a Redis connection and makes FastBucket's quota registry share its quotas through it.</summary>
public static class FastBucketRedisServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="IConnectionMultiplexer"/> for <paramref name="configuration"/> (connected on first use,
    /// with <c>abortConnect=false</c>: an unreachable Redis at startup is an outage handled by the failure policy, not a
    /// crash), and post-configures <see cref="QuotaRegistryOptions"/> so that the registry registered by
    /// <c>AddFastBucket</c> creates <see cref="RedisQuota"/> quotas. An <see cref="IConnectionMultiplexer"/> registered
    /// before is kept.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>.</param>
    /// <param name="configure">Changes to the Redis options.</param>
    /// <exception cref="ArgumentException"><paramref name="configuration"/> is empty or not a valid configuration.</exception>
    public static IServiceCollection AddFastBucketRedis(this IServiceCollection services, string configuration, Action<RedisQuotaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"'{configuration}' is not a valid Redis configuration: {ex.Message}", nameof(configuration), ex);
        }

        parsed.AbortOnConnectFail = false;
        services.TryAddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(parsed));
        services.AddOptions<QuotaRegistryOptions>()
            .PostConfigure<IConnectionMultiplexer>((options, redis) => options.UseRedis(redis, configure));
        return services;
    }
}
