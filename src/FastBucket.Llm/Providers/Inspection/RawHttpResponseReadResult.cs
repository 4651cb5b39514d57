namespace FastBucket.Providers.Inspection;

/// <summary>The outcome of reading a saved HTTP response: the response, or why the input is not one.</summary>
internal readonly struct RawHttpResponseReadResult
{
    private RawHttpResponseReadResult(RawHttpResponse? response, string? error)
    {
        Response = response;
        Error = error;
    }

    /// <summary>The response, when the input was one.</summary>
    public RawHttpResponse? Response { get; }

    /// <summary>Why the input could not be read, when it could not.</summary>
    public string? Error { get; }

    /// <summary>Whether <see cref="Response"/> is set.</summary>
    public bool Succeeded => Response is not null;

    internal static RawHttpResponseReadResult Success(RawHttpResponse response) => new(response, null);

    internal static RawHttpResponseReadResult Failure(string error) => new(null, error);
}
