namespace FastBucket.Quotas;

/// <summary>What one request is charged before it is sent: requests, estimated input tokens and reserved output tokens.</summary>
/// <param name="Requests">Requests counted (normally 1).</param>
/// <param name="InputTokens">Estimated input (prompt) tokens.</param>
/// <param name="OutputTokens">Reserved output tokens (max_tokens times n, or a default).</param>
public readonly record struct RequestCost(long Requests, long InputTokens, long OutputTokens)
{
    /// <summary>Input plus output tokens: what a combined TPM limit counts.</summary>
    public long TotalTokens => InputTokens + OutputTokens;
}
