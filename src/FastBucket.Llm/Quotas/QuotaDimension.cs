namespace FastBucket.Quotas;

/// <summary>One limit of an LLM account.</summary>
public enum QuotaDimension
{
    /// <summary>Requests per minute.</summary>
    RequestsPerMinute,

    /// <summary>Tokens (input + output) per minute.</summary>
    TokensPerMinute,

    /// <summary>Input tokens per minute.</summary>
    InputTokensPerMinute,

    /// <summary>Output tokens per minute.</summary>
    OutputTokensPerMinute,

    /// <summary>Requests per day.</summary>
    RequestsPerDay,

    /// <summary>Tokens (input + output) per day.</summary>
    TokensPerDay,

    /// <summary>Requests in flight at once.</summary>
    Concurrency,
}
