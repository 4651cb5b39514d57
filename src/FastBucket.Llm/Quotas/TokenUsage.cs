namespace FastBucket.Quotas;

/// <summary>Tokens a request really used, as the provider reported them.</summary>
/// <param name="InputTokens">
/// Input (prompt) tokens as the provider's input limits count them. Cache writes are included. Cache reads are included
/// where the provider's prompt count includes them (OpenAI's <c>prompt_tokens</c>, Gemini's <c>promptTokenCount</c>) and
/// left out for Anthropic, whose input limit does not count cache reads (<c>input_tokens</c> plus
/// <c>cache_creation_input_tokens</c>, never <c>cache_read_input_tokens</c>).
/// </param>
/// <param name="OutputTokens">Output (completion) tokens, reasoning tokens included.</param>
public readonly record struct TokenUsage(long InputTokens, long OutputTokens)
{
    /// <summary>Input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;
}
