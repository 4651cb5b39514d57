using FastBucket.Providers.OpenAI;

namespace FastBucket.Providers.AzureOpenAI;

/// <summary>
/// Reads Azure OpenAI's rate-limit headers: OpenAI's <c>x-ratelimit-*</c> family, where standard deployments
/// historically send only <c>remaining-*</c> and <c>-1</c> means "not reported" (read as absent, as every
/// negative count is). Azure's <c>x-ms-retry-after-ms</c> is read with the other retry headers.
/// </summary>
internal static class AzureOpenAIRateLimitHeaders
{
    /// <summary>Stores the header when it belongs to the family; returns whether it did.</summary>
    public static bool TryRead(string name, string value, ref RateLimitSignalsBuilder signals) =>
        OpenAIRateLimitHeaders.TryRead(name, value, ref signals);
}
