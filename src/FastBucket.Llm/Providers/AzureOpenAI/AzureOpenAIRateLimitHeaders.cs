using FastBucket.Providers.OpenAI;

namespace FastBucket.Providers.AzureOpenAI;

/// <summary>
/// Reads Azure OpenAI's rate-limit headers: OpenAI's <c>x-ratelimit-*</c> family, where standard deployments
/// historically send only <c>remaining-*</c> and <c>-1</c> means "not reported": a <c>-1</c> limit or remaining
/// count makes its whole dimension absent, its reset included, whatever order the headers came in. Azure's
/// <c>x-ms-retry-after-ms</c> is read with the other retry headers.
/// </summary>
internal static class AzureOpenAIRateLimitHeaders
{
    /// <summary>Stores the header when it belongs to the family; returns whether it did.</summary>
    public static bool TryRead(string name, string value, ref RateLimitSignalsBuilder signals) =>
        OpenAIRateLimitHeaders.TryRead(name, value, ref signals, negativeMeansAbsent: true);
}
