namespace FastBucket.Estimation;

/// <summary>What a request-body walker found.</summary>
/// <param name="TextTokens">Tokens counted from text with the stand-in tokenizer; an approximation scales them by its factor.</param>
/// <param name="FixedTokens">Fixed overheads and fixed estimates (message framing, images, tool prompts); never scaled.</param>
/// <param name="OutputTokens">Output tokens to reserve.</param>
internal readonly record struct CountedRequest(long TextTokens, long FixedTokens, long OutputTokens)
{
    /// <summary>The prefix up to the last <c>cache_control</c> breakpoint, included in the counts above; <see langword="null"/> when none.</summary>
    public CacheablePrefix? Prefix { get; init; }

    /// <summary>Characters of the text counted (UTF-8 bytes of JSON values): what OpenAI's rate limiter counts a prompt by; 0 where not read.</summary>
    public long TextCharacters { get; init; }
}
