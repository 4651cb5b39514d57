using FastBucket.Estimation;
using FastBucket.Http;
using FastBucket.Quotas;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds FastBucket to an <see cref="HttpClient"/> made by <c>IHttpClientFactory</c>.</summary>
public static class FastBucketHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="FastBucketHandler"/> to the client, drawing on the registered <see cref="QuotaRegistry"/>
    /// (registered with <see cref="FastBucketServiceCollectionExtensions.AddFastBucket"/> if it was not).
    /// </summary>
    public static IHttpClientBuilder AddFastBucket(this IHttpClientBuilder builder, Action<FastBucketHandlerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddFastBucket();
        return builder.AddHttpMessageHandler(services =>
        {
            var options = new FastBucketHandlerOptions
            {
                Quotas = services.GetRequiredService<QuotaRegistry>(),
                Estimator = services.GetRequiredService<ITokenEstimator>(),
                TimeProvider = services.GetRequiredService<TimeProvider>(),
            };
            configure?.Invoke(options);
            return new FastBucketHandler(options);
        });
    }
}
