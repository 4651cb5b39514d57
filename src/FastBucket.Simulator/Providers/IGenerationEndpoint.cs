using System.Text.Json;
using FastBucket.Simulator.Generation;
using FastBucket.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace FastBucket.Simulator.Providers;

/// <summary>One generating operation of one provider: how its requests read and how its responses look.</summary>
internal interface IGenerationEndpoint
{
    /// <summary>The provider's authentication, errors and rate-limit headers.</summary>
    ProviderDialect Dialect { get; }

    /// <summary>Reads a request body (and route or query values). Never throws on bad input: returns a rejection.</summary>
    GenerationRequest? Parse(JsonElement body, HttpRequest request, out RequestRejection? rejection);

    /// <summary>A response id in the provider's style.</summary>
    string NewResponseId(Random random);

    /// <summary>About how many chunks the streamed form of <paramref name="completion"/> has.</summary>
    int ExpectedChunks(GenerationRequest request, GeneratedCompletion completion);

    /// <summary>Writes the successful response, whole or streamed.</summary>
    Task WriteAsync(ResponseChannel channel, GenerationRequest request, GeneratedCompletion completion, CancellationToken cancellationToken);
}
