using System.Net;
using FastBucket.Providers.Wire;

namespace FastBucket.Providers.Inspection;

/// <summary>An HTTP response as a file saved it (<c>curl -i</c>): status, headers in their original order and case, body.</summary>
internal sealed class RawHttpResponse
{
    internal RawHttpResponse(Version version, int statusCode, string? reasonPhrase, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body)
    {
        Version = version;
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Headers = headers;
        Body = body;
    }

    /// <summary>The HTTP version of the status line (<c>HTTP/1.1</c>, <c>HTTP/2</c>).</summary>
    public Version Version { get; }

    /// <summary>The status code, 100 to 999.</summary>
    public int StatusCode { get; }

    /// <summary>The reason phrase, or <see langword="null"/> when the status line had none (HTTP/2).</summary>
    public string? ReasonPhrase { get; }

    /// <summary>The header fields in file order; a name may repeat.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The body, decompressed when it was saved gzip-, deflate- or Brotli-encoded.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>
    /// Builds an <see cref="HttpResponseMessage"/> with this status, these headers (content headers on its
    /// content) and this body. Header fields that <see cref="System.Net.Http.Headers.HttpHeaders"/> refuses even
    /// without validation (an invalid name) are left out.
    /// </summary>
    public HttpResponseMessage ToHttpResponseMessage()
    {
        var response = new HttpResponseMessage((HttpStatusCode)StatusCode)
        {
            Version = Version,
            ReasonPhrase = ReasonPhrase,
            Content = new ReadOnlyMemoryContent(Body),
        };

        foreach (KeyValuePair<string, string> header in Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                response.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return response;
    }

    /// <summary>The response's <c>Date</c> header, when it has a valid one.</summary>
    /// <param name="reference">A clock reading to place RFC 850 two-digit years against.</param>
    /// <param name="date">The date.</param>
    public bool TryGetDate(DateTimeOffset reference, out DateTimeOffset date)
    {
        foreach (KeyValuePair<string, string> header in Headers)
        {
            if (header.Key.Equals("date", StringComparison.OrdinalIgnoreCase) && HttpDate.TryParse(header.Value, reference, out date))
            {
                return true;
            }
        }

        date = default;
        return false;
    }
}
