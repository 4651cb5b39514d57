using FastBucket.Extensions.AI;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="FastBucketChatClient"/> to an M.E.AI chat pipeline.</summary>
public static class FastBucketChatClientBuilderExtensions
{
    /// <summary>
    /// Runs every call of the pipeline within the inner client's provider limits (see <see cref="FastBucketChatClient"/>).
    /// Quotas and the estimator come from <paramref name="configure"/>'s options, else from the builder's services
    /// (<c>services.AddFastBucket()</c>), else are the middleware's own.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Changes to the options; <see langword="null"/> for defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseFastBucket(this ChatClientBuilder builder, Action<FastBucketAIOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = new FastBucketAIOptions();
            configure?.Invoke(options);
            return new FastBucketChatClient(inner, options, services);
        });
    }
}
