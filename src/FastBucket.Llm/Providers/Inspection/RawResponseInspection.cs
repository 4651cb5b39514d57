namespace FastBucket.Providers.Inspection;

/// <summary>What <see cref="RawResponseInspector"/> found in a saved response, or why it could not read it.</summary>
internal sealed class RawResponseInspection
{
    private RawResponseInspection(RawHttpResponse? response, string? error, LlmProvider provider, DateTimeOffset now, RateLimitSignals signals)
    {
        Response = response;
        Error = error;
        Provider = provider;
        Now = now;
        Signals = signals;
    }

    /// <summary>Whether the input was a response; when false, <see cref="Error"/> says why and the rest is default.</summary>
    public bool Succeeded => Response is not null;

    /// <summary>Why the input could not be read, or <see langword="null"/>.</summary>
    public string? Error { get; }

    /// <summary>The response read.</summary>
    public RawHttpResponse? Response { get; }

    /// <summary>The provider whose conventions were applied: the one asked for, else the one detected.</summary>
    public LlmProvider Provider { get; }

    /// <summary>The clock reading resets were taken against: the one asked for, else the response's <c>Date</c>, else the time provider's.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The signals read.</summary>
    public RateLimitSignals Signals { get; }

    internal static RawResponseInspection Success(RawHttpResponse response, LlmProvider provider, DateTimeOffset now, in RateLimitSignals signals) =>
        new(response, null, provider, now, signals);

    internal static RawResponseInspection Failure(string error) => new(null, error, LlmProvider.Generic, default, default);
}
