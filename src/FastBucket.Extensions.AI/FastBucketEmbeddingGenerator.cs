using System.Buffers;
using System.Text.Json;
using FastBucket.Quotas;
using Microsoft.Extensions.AI;

namespace FastBucket.Extensions.AI;

/// <summary>
/// An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> middleware for text inputs that runs each call within its
/// provider's limits: it estimates the inputs' tokens with the library's token estimator, reserves them (and one
/// request) on the quota of the inner generator's provider and model (<see cref="EmbeddingGeneratorMetadata"/>, or
/// <see cref="EmbeddingGenerationOptions.ModelId"/>), and reconciles with <see cref="GeneratedEmbeddings{TEmbedding}.Usage"/>.
/// A 429 seen through the inner generator's exception holds the quota closed for the provider's wait, as
/// <see cref="FastBucketChatClient"/> does.
/// </summary>
/// <typeparam name="TEmbedding">The embedding type, e.g. <see cref="Embedding{T}"/> of <see cref="float"/>.</typeparam>
public sealed class FastBucketEmbeddingGenerator<TEmbedding> : DelegatingEmbeddingGenerator<string, TEmbedding>
    where TEmbedding : Embedding
{
    private readonly AIQuotaGate _gate;
    private readonly string? _defaultModel;

    /// <summary>Creates the middleware around <paramref name="innerGenerator"/>.</summary>
    /// <param name="innerGenerator">The generator that calls the provider.</param>
    /// <param name="options">Where quotas come from and which provider this is; <see langword="null"/> for defaults.</param>
    public FastBucketEmbeddingGenerator(IEmbeddingGenerator<string, TEmbedding> innerGenerator, FastBucketAIOptions? options = null)
        : this(innerGenerator, options, services: null)
    {
    }

    internal FastBucketEmbeddingGenerator(IEmbeddingGenerator<string, TEmbedding> innerGenerator, FastBucketAIOptions? options, IServiceProvider? services)
        : base(innerGenerator)
    {
        var metadata = innerGenerator.GetService<EmbeddingGeneratorMetadata>();
        _defaultModel = metadata?.DefaultModelId;
        _gate = new AIQuotaGate(options, services, AIQuotaTarget.Provider(options?.Provider, metadata?.ProviderUri, metadata?.ProviderName));
    }

    /// <summary>The quotas this generator draws on.</summary>
    public QuotaRegistry Quotas => _gate.Quotas;

    /// <inheritdoc/>
    public override async Task<GeneratedEmbeddings<TEmbedding>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        string model = AIQuotaTarget.Model(options?.ModelId, _defaultModel);
        var call = await _gate.ReserveAsync(model, WriteRequest(model, values, options), cancellationToken).ConfigureAwait(false);
        GeneratedEmbeddings<TEmbedding> embeddings;
        try
        {
            embeddings = await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            call.Failed(ex);
            throw;
        }

        call.Succeeded(embeddings.Usage);
        return embeddings;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gate.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The call as an OpenAI embeddings body, which the estimator prices (inputs counted, no output reserved).</summary>
    private static ReadOnlyMemory<byte> WriteRequest(string model, IEnumerable<string> values, EmbeddingGenerationOptions? options)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (model != AIQuotaTarget.UnknownModel)
            {
                json.WriteString("model", model);
            }

            json.WriteStartArray("input");
            foreach (string value in values)
            {
                json.WriteStringValue(value);
            }

            json.WriteEndArray();
            if (options?.Dimensions is { } dimensions)
            {
                json.WriteNumber("dimensions", dimensions);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }
}
