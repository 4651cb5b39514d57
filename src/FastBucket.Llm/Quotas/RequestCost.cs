namespace FastBucket.Quotas;

/// <summary>What one request is charged before it is sent: requests, estimated input tokens and reserved output tokens.</summary>
/// <param name="Requests">Requests counted (normally 1).</param>
/// <param name="InputTokens">Estimated input (prompt) tokens.</param>
/// <param name="OutputTokens">Reserved output tokens (max_tokens times n, or a default).</param>
public readonly record struct RequestCost(long Requests, long InputTokens, long OutputTokens)
{
    /// <summary>Input plus output tokens: what a combined TPM limit counts.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>
    /// How the provider charges <see cref="QuotaDimension.TokensPerMinute"/> (see <see cref="Quotas.TokensPerMinuteCharge"/>):
    /// input plus output settled at completion by default; input only for Gemini; the larger of input and output,
    /// kept, for OpenAI; input plus output, kept, for Azure OpenAI. Tokens per day always count input plus output.
    /// </summary>
    public TokensPerMinuteCharge TokensPerMinute { get; init; }

    /// <summary>
    /// The input as a count of characters makes it: the prompt's characters over 4 (OpenAI: "one token generally
    /// corresponds to ~4 characters of text for common English text") plus its fixed framing; 0 where not counted.
    /// <see cref="Quotas.TokensPerMinuteCharge.LargerOfInputAndOutputKept"/> charges the input at no less, since OpenAI's
    /// rate limiter counts "the estimated number of tokens based on the character count of your request", not the
    /// tokenizer's count that its usage reports (fewer, for English prose).
    /// </summary>
    internal long CharacterCountTokens { get; init; }

    /// <summary>What <see cref="QuotaDimension.TokensPerMinute"/> is charged at admission.</summary>
    internal long TokensPerMinuteCharge => TokensPerMinute switch
    {
        Quotas.TokensPerMinuteCharge.InputOnly => InputTokens,
        Quotas.TokensPerMinuteCharge.LargerOfInputAndOutputKept => Math.Max(Math.Max(InputTokens, CharacterCountTokens), OutputTokens),
        _ => TotalTokens,
    };

    /// <summary>What <see cref="QuotaDimension.TokensPerMinute"/> is charged once the request completed with <paramref name="actual"/>.</summary>
    internal long TokensPerMinuteSettled(TokenUsage actual) => TokensPerMinute switch
    {
        Quotas.TokensPerMinuteCharge.InputOnly => actual.InputTokens,
        // Kept: the output reserved is not given back, but the input is the provider's own count of it, and never below
        // its character count, which is what the rate limiter charged.
        Quotas.TokensPerMinuteCharge.LargerOfInputAndOutputKept => Math.Max(Math.Max(actual.InputTokens, CharacterCountTokens), OutputTokens),
        Quotas.TokensPerMinuteCharge.InputAndOutputKept => actual.InputTokens + OutputTokens,
        _ => actual.TotalTokens,
    };
}
