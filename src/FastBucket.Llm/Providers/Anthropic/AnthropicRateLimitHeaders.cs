using FastBucket.Providers.Wire;

namespace FastBucket.Providers.Anthropic;

/// <summary>
/// Reads Anthropic's <c>anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}</c>
/// and Priority Tier <c>anthropic-priority-{input,output}-tokens-{limit,remaining,reset}</c> headers. Resets are
/// absolute RFC 3339 times, turned into waits relative to the client's clock; token <c>remaining</c> values are
/// rounded to thousands by the server and kept as sent.
/// </summary>
internal static class AnthropicRateLimitHeaders
{
    private const string RateLimitPrefix = "anthropic-ratelimit-";
    private const string PriorityPrefix = "anthropic-priority-";

    /// <summary>Stores the header when it belongs to the family; returns whether it did.</summary>
    public static bool TryRead(string name, string value, DateTimeOffset now, ref RateLimitSignalsBuilder signals)
    {
        bool priority = false;
        if (!HeaderValue.TryStripPrefix(name, RateLimitPrefix, out ReadOnlySpan<char> rest))
        {
            if (!HeaderValue.TryStripPrefix(name, PriorityPrefix, out rest))
            {
                return false;
            }

            priority = true;
        }

        int dash = rest.LastIndexOf('-');
        if (dash <= 0)
        {
            return false;
        }

        ReadOnlySpan<char> dimension = rest[..dash];
        ReadOnlySpan<char> field = rest[(dash + 1)..];
        if (priority)
        {
            if (dimension.Equals("input-tokens", StringComparison.OrdinalIgnoreCase))
            {
                return Store(ref signals.PriorityInputTokens, field, value, now);
            }

            return dimension.Equals("output-tokens", StringComparison.OrdinalIgnoreCase)
                && Store(ref signals.PriorityOutputTokens, field, value, now);
        }

        if (dimension.Equals("requests", StringComparison.OrdinalIgnoreCase))
        {
            return Store(ref signals.Requests, field, value, now);
        }

        if (dimension.Equals("tokens", StringComparison.OrdinalIgnoreCase))
        {
            return Store(ref signals.Tokens, field, value, now);
        }

        if (dimension.Equals("input-tokens", StringComparison.OrdinalIgnoreCase))
        {
            return Store(ref signals.InputTokens, field, value, now);
        }

        return dimension.Equals("output-tokens", StringComparison.OrdinalIgnoreCase)
            && Store(ref signals.OutputTokens, field, value, now);
    }

    private static bool Store(ref RateLimitDimensionBuilder dimension, ReadOnlySpan<char> field, string value, DateTimeOffset now)
    {
        if (field.Equals("limit", StringComparison.OrdinalIgnoreCase))
        {
            if (HeaderValue.TryParseCount(value, out long limit))
            {
                dimension.Limit = limit;
            }

            return true;
        }

        if (field.Equals("remaining", StringComparison.OrdinalIgnoreCase))
        {
            if (HeaderValue.TryParseCount(value, out long remaining))
            {
                dimension.Remaining = remaining;
            }

            return true;
        }

        if (field.Equals("reset", StringComparison.OrdinalIgnoreCase))
        {
            if (Rfc3339Timestamp.TryParse(value, out DateTimeOffset resetAt))
            {
                dimension.Reset = HeaderValue.ResetAfter(resetAt, now);
            }

            return true;
        }

        return false;
    }
}
