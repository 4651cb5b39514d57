using FastBucket.Catalog;
using FastBucket.Estimation;
using FastBucket.Quotas;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers FastBucket's shared quota registry, limits catalog and token estimator.</summary>
public static class FastBucketServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="QuotaRegistry"/> (limits from the embedded catalog, <c>FASTBUCKET_LIMITS</c>, then
    /// <paramref name="configuration"/>'s <c>Limits</c> section), and a calibrated <see cref="ITokenEstimator"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">A section such as <c>configuration.GetSection("FastBucket")</c>, with optional
    /// <c>Tier</c>, <c>MaxConcurrency</c>, <c>DiscoverUnknownLimits</c> and <c>Limits</c> (see README).</param>
    /// <param name="configure">Further changes to the registry options.</param>
    public static IServiceCollection AddFastBucket(this IServiceCollection services, IConfiguration? configuration = null, Action<QuotaRegistryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ =>
        {
            var catalog = LimitsCatalog.CreateDefault();
            var limits = configuration?.GetSection("Limits");
            return limits is not null && limits.Exists() ? catalog.WithConfiguration(limits) : catalog;
        });
        services.TryAddSingleton<ITokenEstimator>(_ => new TokenEstimator(new TokenEstimatorOptions(), new TokenEstimateCalibrator()));
        services.TryAddSingleton(provider =>
        {
            var options = new QuotaRegistryOptions
            {
                Catalog = provider.GetRequiredService<LimitsCatalog>(),
                TimeProvider = provider.GetRequiredService<TimeProvider>(),
            };
            if (configuration is not null)
            {
                options.Tier = configuration["Tier"] ?? options.Tier;
                if (int.TryParse(configuration["MaxConcurrency"], out int concurrency))
                {
                    options.MaxConcurrency = concurrency;
                }

                if (bool.TryParse(configuration["DiscoverUnknownLimits"], out bool discover))
                {
                    options.DiscoverUnknownLimits = discover;
                }
            }

            foreach (var setup in provider.GetServices<IConfigureOptions<QuotaRegistryOptions>>())
            {
                setup.Configure(options);
            }

            configure?.Invoke(options);

            // Extensions such as FastBucket.Redis's AddFastBucketRedis post-configure the registry options.
            foreach (var post in provider.GetServices<IPostConfigureOptions<QuotaRegistryOptions>>())
            {
                post.PostConfigure(Options.Options.DefaultName, options);
            }

            return new QuotaRegistry(options);
        });
        return services;
    }
}
