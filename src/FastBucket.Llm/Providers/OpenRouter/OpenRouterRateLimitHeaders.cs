using FastBucket.Providers.Wire;

namespace FastBucket.Providers.OpenRouter;

/// <summary>
/// Reads OpenRouter's <c>X-RateLimit-Limit</c>, <c>X-RateLimit-Remaining</c> and <c>X-RateLimit-Reset</c>, which
/// count requests. The reset is read by size, as other clients do: above 10^12 it is Unix epoch milliseconds
/// (what OpenRouter sends), above 10^9 Unix epoch seconds, otherwise a delay in seconds.
/// </summary>
internal static class OpenRouterRateLimitHeaders
{
    private const long EpochMillisecondsThreshold = 1_000_000_000_000;
    private const long EpochSecondsThreshold = 1_000_000_000;

    /// <summary>Stores the header when it belongs to the family; returns whether it did.</summary>
    /// <param name="name">The header name, in any case.</param>
    /// <param name="value">The header value.</param>
    /// <param name="now">The client's clock.</param>
    /// <param name="signals">Where to store it.</param>
    /// <param name="onlyIfAbsent">Keep values already read (headers copied into a 429 body rank below real headers).</param>
    public static bool TryRead(string name, string value, DateTimeOffset now, ref RateLimitSignalsBuilder signals, bool onlyIfAbsent)
    {
        if (!HeaderValue.TryStripPrefix(name, "x-ratelimit-", out ReadOnlySpan<char> field))
        {
            return false;
        }

        ref RateLimitDimensionBuilder requests = ref signals.Requests;
        if (field.Equals("limit", StringComparison.OrdinalIgnoreCase))
        {
            if ((!onlyIfAbsent || requests.Limit is null) && HeaderValue.TryParseCount(value, out long limit))
            {
                requests.Limit = limit;
            }

            return true;
        }

        if (field.Equals("remaining", StringComparison.OrdinalIgnoreCase))
        {
            if ((!onlyIfAbsent || requests.Remaining is null) && HeaderValue.TryParseCount(value, out long remaining))
            {
                requests.Remaining = remaining;
            }

            return true;
        }

        if (field.Equals("reset", StringComparison.OrdinalIgnoreCase))
        {
            if ((!onlyIfAbsent || requests.Reset is null) && TryParseReset(value, now, out TimeSpan reset))
            {
                requests.Reset = reset;
            }

            return true;
        }

        return false;
    }

    private static bool TryParseReset(ReadOnlySpan<char> value, DateTimeOffset now, out TimeSpan reset)
    {
        reset = default;
        if (!HeaderValue.TryParseCount(value, out long number))
        {
            return GoDuration.TryParseDecimal(value, GoDuration.NanosecondsPerSecond, out reset);
        }

        if (number > EpochMillisecondsThreshold)
        {
            return TryResetAt(number / 1000, number % 1000, now, out reset);
        }

        if (number > EpochSecondsThreshold)
        {
            return TryResetAt(number, 0, now, out reset);
        }

        reset = TimeSpan.FromSeconds(number);
        return true;
    }

    private static bool TryResetAt(long epochSeconds, long milliseconds, DateTimeOffset now, out TimeSpan reset)
    {
        reset = default;
        if (epochSeconds >= DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        DateTimeOffset at = DateTimeOffset.FromUnixTimeSeconds(epochSeconds).AddTicks(milliseconds * TimeSpan.TicksPerMillisecond);
        reset = HeaderValue.ResetAfter(at, now);
        return true;
    }
}
