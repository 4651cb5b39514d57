namespace FastBucket.Providers;

/// <summary>What kind of failure a response is, as far as pacing and retrying are concerned.</summary>
public enum RateLimitErrorClass
{
    /// <summary>Not an error (2xx), or no status was known.</summary>
    None = 0,

    /// <summary>A per-account rate limit was hit (429): wait, then retry; the pace should slow down.</summary>
    RateLimited,

    /// <summary>The provider is out of capacity (503, Anthropic 529, <c>overloaded_error</c>): back off and retry, but the account's own limits are not the cause.</summary>
    Overloaded,

    /// <summary>A quota that will not come back soon: billing, credits, a spend cap, a per-day quota or a quota of zero. Retrying does not help.</summary>
    QuotaExhausted,

    /// <summary>A transient failure unrelated to limits (408, 409, other 5xx): retry with backoff.</summary>
    TransientError,

    /// <summary>Any other error (bad request, authentication, not found): retrying the same request does not help.</summary>
    Other,
}
