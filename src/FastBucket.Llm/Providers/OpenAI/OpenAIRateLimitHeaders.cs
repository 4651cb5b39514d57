using FastBucket.Providers.Wire;

namespace FastBucket.Providers.OpenAI;

/// <summary>
/// Reads OpenAI's <c>x-ratelimit-{limit,remaining,reset}-{requests,tokens,project-tokens}</c> headers. Resets are
/// relative Go-style durations (<c>1s</c>, <c>6m0s</c>, <c>12ms</c>). Azure OpenAI, Groq and many
/// OpenAI-compatible servers send the same family, so they share this reader.
/// </summary>
internal static class OpenAIRateLimitHeaders
{
    private const string Prefix = "x-ratelimit-";

    /// <summary>Stores the header when it belongs to the family; returns whether it did.</summary>
    public static bool TryRead(string name, string value, ref RateLimitSignalsBuilder signals) =>
        TryRead(name, value, ref signals, negativeMeansAbsent: false);

    /// <summary>As <see cref="TryRead(string, string, ref RateLimitSignalsBuilder)"/>; with <paramref name="negativeMeansAbsent"/>, a negative count (Azure's <c>-1</c>) marks its whole dimension absent, reset included.</summary>
    public static bool TryRead(string name, string value, ref RateLimitSignalsBuilder signals, bool negativeMeansAbsent)
    {
        if (!HeaderValue.TryStripPrefix(name, Prefix, out ReadOnlySpan<char> rest))
        {
            return false;
        }

        HeaderField field;
        if (HeaderValue.TryStripPrefix(rest, "limit-", out ReadOnlySpan<char> dimension))
        {
            field = HeaderField.Limit;
        }
        else if (HeaderValue.TryStripPrefix(rest, "remaining-", out dimension))
        {
            field = HeaderField.Remaining;
        }
        else if (HeaderValue.TryStripPrefix(rest, "reset-", out dimension))
        {
            field = HeaderField.Reset;
        }
        else
        {
            return false;
        }

        // The undocumented "tokens_usage_based" variants repeat the tokens values; they are ignored.
        if (dimension.Equals("requests", StringComparison.OrdinalIgnoreCase))
        {
            Store(ref signals.Requests, field, value, negativeMeansAbsent);
        }
        else if (dimension.Equals("tokens", StringComparison.OrdinalIgnoreCase))
        {
            Store(ref signals.Tokens, field, value, negativeMeansAbsent);
        }
        else if (dimension.Equals("project-tokens", StringComparison.OrdinalIgnoreCase))
        {
            Store(ref signals.ProjectTokens, field, value, negativeMeansAbsent);
        }
        else if (dimension.Equals("input-tokens", StringComparison.OrdinalIgnoreCase))
        {
            Store(ref signals.InputTokens, field, value, negativeMeansAbsent);
        }
        else if (dimension.Equals("output-tokens", StringComparison.OrdinalIgnoreCase))
        {
            Store(ref signals.OutputTokens, field, value, negativeMeansAbsent);
        }
        else
        {
            return false;
        }

        return true;
    }

    private static void Store(ref RateLimitDimensionBuilder dimension, HeaderField field, string value, bool negativeMeansAbsent)
    {
        if (negativeMeansAbsent && field != HeaderField.Reset && value.AsSpan().TrimStart().StartsWith('-'))
        {
            dimension.Absent = true;
            return;
        }

        switch (field)
        {
            case HeaderField.Limit when HeaderValue.TryParseCount(value, out long limit):
                dimension.Limit = limit;
                break;
            case HeaderField.Remaining when HeaderValue.TryParseCount(value, out long remaining):
                dimension.Remaining = remaining;
                break;
            case HeaderField.Reset when GoDuration.TryParse(value, out TimeSpan reset):
                dimension.Reset = reset;
                break;
        }
    }

    private enum HeaderField
    {
        Limit,
        Remaining,
        Reset,
    }
}
