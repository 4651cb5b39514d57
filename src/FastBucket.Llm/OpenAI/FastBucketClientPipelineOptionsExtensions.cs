using System.ClientModel.Primitives;
using FastBucket.Http;

namespace FastBucket.OpenAI;

/// <summary>Puts FastBucket under the official OpenAI .NET SDK (and any System.ClientModel client).</summary>
public static class FastBucketClientPipelineOptionsExtensions
{
    /// <summary>
    /// Sends the client's requests through a <see cref="FastBucketHandler"/>: <c>new OpenAIClientOptions().UseFastBucket(...)</c>.
    /// The SDK's own retry policy stays in place but rarely sees a 429, since FastBucket paces and retries first.
    /// </summary>
    /// <param name="options">The client options, e.g. <c>OpenAIClientOptions</c>.</param>
    /// <param name="handlerOptions">FastBucket's options; share <see cref="FastBucketHandlerOptions.Quotas"/> across clients of one account.</param>
    /// <param name="innerHandler">The handler that sends, or <see langword="null"/> for a new <see cref="SocketsHttpHandler"/>.</param>
    /// <returns>The same options.</returns>
    public static TOptions UseFastBucket<TOptions>(this TOptions options, FastBucketHandlerOptions? handlerOptions = null, HttpMessageHandler? innerHandler = null)
        where TOptions : ClientPipelineOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new FastBucketHandler(handlerOptions ?? new FastBucketHandlerOptions(), innerHandler ?? new SocketsHttpHandler());

        // The SDK applies its own NetworkTimeout per try; the HttpClient must not cut requests that wait for quota.
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        options.Transport = new HttpClientPipelineTransport(client);
        return options;
    }
}
