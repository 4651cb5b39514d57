namespace FastBucket.Simulator.Accounting;

/// <summary>Which rate-limit signals a provider sends, and where.</summary>
public enum RateLimitHeaderStyle
{
    /// <summary>The provider's whole header family (limit, remaining, reset) on every response.</summary>
    Full,

    /// <summary>Only <c>remaining</c> headers (Azure OpenAI standard deployments: x-ratelimit-remaining-requests
    /// and -tokens, no limit, no reset).</summary>
    RemainingOnly,

    /// <summary>No rate-limit headers (Gemini); the 429 body still says what it says.</summary>
    None,

    /// <summary>No rate-limit headers; the values appear only inside 429 bodies (OpenRouter free models:
    /// <c>error.metadata.headers</c>).</summary>
    InsideRateLimitBodyOnly,

    /// <summary>Groq's OpenAI-style headers whose <c>x-ratelimit-*-requests</c> family is per day (RPD) and
    /// <c>*-tokens</c> per minute; the RPM appears only in a 429's message, which uses Groq's wording
    /// (https://console.groq.com/docs/rate-limits).</summary>
    PerDayRequests,
}
