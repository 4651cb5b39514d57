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
    /// <c>Tier</c>, <c>MaxConcurrency</c>, <c>DiscoverUnknownLimits</c>, <c>BurstHeadroom</c>, <c>MaxQueuedRequests</c> and
    /// <c>Limits</c> (see README). It is bound with <c>Bind</c> (an unknown key is an error) and validated at start-up
    /// (<c>ValidateOnStart</c>): a typo or an out-of-range value stops the host with a message naming it.</param>
    /// <param name="configure">Further changes to the registry options.</param>
    public static IServiceCollection AddFastBucket(this IServiceCollection services, IConfiguration? configuration = null, Action<QuotaRegistryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        var bound = services.AddOptions<FastBucketConfiguration>();
        if (configuration is not null)
        {
            bound.Bind(configuration, binder => binder.ErrorOnUnknownConfiguration = true);
        }

        bound.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FastBucketConfiguration>, FastBucketConfigurationValidation>());
        services.TryAddSingleton(_ =>
        {
            var catalog = LimitsCatalog.CreateDefault();
            var limits = configuration?.GetSection("Limits");
            return limits is not null && limits.Exists() ? catalog.WithConfiguration(limits) : catalog;
        });
        services.TryAddSingleton<ITokenEstimator>(_ => new TokenEstimator(new TokenEstimatorOptions(), new TokenEstimateCalibrator()));
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<FastBucketConfiguration>>().Value.ApplyTo(new QuotaRegistryOptions
            {
                Catalog = provider.GetRequiredService<LimitsCatalog>(),
                TimeProvider = provider.GetRequiredService<TimeProvider>(),
            });

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
