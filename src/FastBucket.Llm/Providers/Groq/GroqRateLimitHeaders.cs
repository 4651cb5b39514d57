using FastBucket.Providers.OpenAI;

namespace FastBucket.Providers.Groq;

/// <summary>
/// Reads Groq's rate-limit headers: OpenAI's <c>x-ratelimit-*</c> family with Go-style resets, except that the
/// <c>*-requests</c> headers count requests per day (RPD) while <c>*-tokens</c> count per minute.
/// </summary>
internal static class GroqRateLimitHeaders
{
    /// <summary>Stores the header when it belongs to the family; returns whether it did.</summary>
    public static bool TryRead(string name, string value, ref RateLimitSignalsBuilder signals)
    {
        if (!OpenAIRateLimitHeaders.TryRead(name, value, ref signals))
        {
            return false;
        }

        if (!signals.Requests.IsEmpty)
        {
            signals.RequestsWindow = RateLimitWindow.Day;
        }

        return true;
    }
}
