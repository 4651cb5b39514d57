namespace FastBucket.Simulator.Providers;

/// <summary>A complete error response: status, JSON body and any headers beyond the rate-limit ones.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="Body">The JSON body.</param>
/// <param name="Headers">Extra headers such as <c>retry-after</c>.</param>
internal sealed record ErrorResponse(int StatusCode, byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public ErrorResponse(int statusCode, byte[] body)
        : this(statusCode, body, [])
    {
    }
}
