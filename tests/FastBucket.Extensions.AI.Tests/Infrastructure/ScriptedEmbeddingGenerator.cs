using Microsoft.Extensions.AI;

namespace FastBucket.Extensions.AI.Tests.Infrastructure;

/// <summary>An inner embedding generator that returns one small vector per input and reports 3 input tokens.</summary>
internal sealed class ScriptedEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public EmbeddingGeneratorMetadata Metadata { get; } = new("openai", new Uri("https://api.openai.com/v1"), "text-embedding-3-small");

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[] { 1, 0 })))
        {
            Usage = new UsageDetails { InputTokenCount = 3 },
        });

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
