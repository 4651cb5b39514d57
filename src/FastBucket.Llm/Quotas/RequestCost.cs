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
    /// Whether the provider's tokens-per-minute limit counts input tokens only (Gemini's TPM is an input-token quota):
    /// then <see cref="QuotaDimension.TokensPerMinute"/> is charged and reconciled with <see cref="InputTokens"/> alone.
    /// Tokens per day still count input plus output.
    /// </summary>
    public bool TokensPerMinuteCountsInputOnly { get; init; }

    /// <summary>What <see cref="QuotaDimension.TokensPerMinute"/> is charged: <see cref="InputTokens"/> when it counts input only, else <see cref="TotalTokens"/>.</summary>
    internal long TokensPerMinuteCharge => TokensPerMinuteCountsInputOnly ? InputTokens : TotalTokens;
}
