namespace FastBucket.Simulator.Accounting;

/// <summary>A quantity a provider limits per window.</summary>
public enum RateLimitDimension
{
    /// <summary>Requests per minute (RPM).</summary>
    RequestsPerMinute,

    /// <summary>Tokens per minute (TPM). OpenAI counts input plus requested output; Gemini counts input only.</summary>
    TokensPerMinute,

    /// <summary>Input tokens per minute (ITPM), as Anthropic counts them.</summary>
    InputTokensPerMinute,

    /// <summary>Output tokens per minute (OTPM), as Anthropic counts them (max_tokens at admission).</summary>
    OutputTokensPerMinute,

    /// <summary>Requests per day (RPD).</summary>
    RequestsPerDay,

    /// <summary>Tokens per day (TPD).</summary>
    TokensPerDay,
}
