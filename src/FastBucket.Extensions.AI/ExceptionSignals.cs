using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using FastBucket.Providers;

namespace FastBucket.Extensions.AI;

/// <summary>
/// Reads the provider's rate-limit signals out of an exception an inner client threw: the OpenAI SDK's
/// <see cref="ClientResultException"/> carries the whole HTTP response (headers and error body), an
/// <see cref="HttpRequestException"/> only its status. Inner exceptions are searched too.
/// </summary>
internal static class ExceptionSignals
{
    // Error bodies are short; a longer one is read only this far (the headers still carry the signals).
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>The signals of the HTTP error behind <paramref name="exception"/>, or false when it carries no HTTP status.</summary>
    internal static bool TryRead(LlmProvider provider, Exception exception, DateTimeOffset now, out RateLimitSignals signals)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case ClientResultException { Status: > 0 } result:
                    signals = Read(provider, result.Status, result.GetRawResponse(), now);
                    return true;
                case HttpRequestException { StatusCode: { } status }:
                    signals = Read(provider, (int)status, null, now);
                    return true;
            }
        }

        signals = default;
        return false;
    }

    private static RateLimitSignals Read(LlmProvider provider, int status, PipelineResponse? raw, DateTimeOffset now)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        byte[] body = [];
        if (raw is not null)
        {
            try
            {
                // Error responses are buffered by the SDK; a streamed one that is not yet read is left alone.
                if (raw.ContentStream is null or MemoryStream)
                {
                    var bytes = raw.Content.ToMemory();
                    body = bytes.Length <= MaxBodyBytes ? bytes.ToArray() : bytes[..MaxBodyBytes].ToArray();
                }
            }
            catch (InvalidOperationException)
            {
                // The content was not buffered: the headers still carry the signals.
            }

            response.Content = new ByteArrayContent(body);
            foreach (var header in raw.Headers)
            {
                if (!response.Headers.TryAddWithoutValidation(header.Key, header.Value))
                {
                    response.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }
        }

        return RateLimitSignalReader.Read(provider, response, body, now);
    }
}
