namespace FastBucket.Quotas;

/// <summary>Tokens a request really used, as the provider reported them.</summary>
/// <param name="InputTokens">Input (prompt) tokens, cache reads and writes included.</param>
/// <param name="OutputTokens">Output (completion) tokens, reasoning tokens included.</param>
public readonly record struct TokenUsage(long InputTokens, long OutputTokens)
{
    /// <summary>Input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;
}
