using FastBucket.Extensions.AI;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="FastBucketEmbeddingGenerator{TEmbedding}"/> to an M.E.AI embedding pipeline.</summary>
public static class FastBucketEmbeddingGeneratorBuilderExtensions
{
    /// <summary>
    /// Runs every call of the pipeline within the inner generator's provider limits (see
    /// <see cref="FastBucketEmbeddingGenerator{TEmbedding}"/>). Quotas and the estimator come from
    /// <paramref name="configure"/>'s options, else from the builder's services, else are the middleware's own.
    /// </summary>
    /// <typeparam name="TEmbedding">The embedding type.</typeparam>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Changes to the options; <see langword="null"/> for defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingGeneratorBuilder<string, TEmbedding> UseFastBucket<TEmbedding>(
        this EmbeddingGeneratorBuilder<string, TEmbedding> builder, Action<FastBucketAIOptions>? configure = null)
        where TEmbedding : Embedding
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = new FastBucketAIOptions();
            configure?.Invoke(options);
            return new FastBucketEmbeddingGenerator<TEmbedding>(inner, options, services);
        });
    }
}
