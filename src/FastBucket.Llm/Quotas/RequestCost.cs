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

    /// <summary>What <see cref="QuotaDimension.TokensPerMinute"/> is charged at admission.</summary>
    internal long TokensPerMinuteCharge => TokensPerMinute switch
    {
        Quotas.TokensPerMinuteCharge.InputOnly => InputTokens,
        Quotas.TokensPerMinuteCharge.LargerOfInputAndOutputKept => Math.Max(InputTokens, OutputTokens),
        _ => TotalTokens,
    };

    /// <summary>What <see cref="QuotaDimension.TokensPerMinute"/> is charged once the request completed with <paramref name="actual"/>.</summary>
    internal long TokensPerMinuteSettled(TokenUsage actual) => TokensPerMinute switch
    {
        Quotas.TokensPerMinuteCharge.InputOnly => actual.InputTokens,
        // Kept: the output reserved is not given back, but the input is the provider's own count of it.
        Quotas.TokensPerMinuteCharge.LargerOfInputAndOutputKept => Math.Max(actual.InputTokens, OutputTokens),
        Quotas.TokensPerMinuteCharge.InputAndOutputKept => actual.InputTokens + OutputTokens,
        _ => actual.TotalTokens,
    };
}
