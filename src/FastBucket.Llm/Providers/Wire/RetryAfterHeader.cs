namespace FastBucket.Providers.Wire;

/// <summary>
/// Reads the server's explicit wait from the headers every provider may send: <c>retry-after-ms</c>,
/// <c>x-ms-retry-after-ms</c>, <c>Retry-After</c> and <c>x-should-retry</c>.
/// </summary>
public static class RetryAfterHeader
{
    /// <summary>
    /// Reads a <c>Retry-After</c> value: delay-seconds (fractions accepted, as openai-python and
    /// anthropic-sdk-python accept them; parsed culture-invariantly) or an HTTP-date in RFC 1123, RFC 850 or
    /// asctime form, taken relative to <paramref name="now"/>.
    /// </summary>
    /// <param name="value">The header value.</param>
    /// <param name="now">The client's clock when the response arrived.</param>
    /// <param name="wait">The wait; zero when the date is exactly <paramref name="now"/>.</param>
    /// <returns>
    /// <see langword="false"/> for anything that names no usable wait: empty text, negative numbers, NaN and
    /// infinities, numbers too large for a 64-bit nanosecond count (about 292 years), dates in the past and
    /// dates out of range. Never throws.
    /// </returns>
    public static bool TryParse(ReadOnlySpan<char> value, DateTimeOffset now, out TimeSpan wait)
    {
        if (GoDuration.TryParseDecimal(value, GoDuration.NanosecondsPerSecond, out wait))
        {
            return true;
        }

        if (HttpDate.TryParse(value, now, out DateTimeOffset at) && at >= now)
        {
            wait = at - now;
            return true;
        }

        wait = default;
        return false;
    }

    /// <summary>Reads a <c>retry-after-ms</c> or <c>x-ms-retry-after-ms</c> value: non-negative milliseconds, fractions accepted.</summary>
    /// <param name="value">The header value.</param>
    /// <param name="wait">The wait.</param>
    /// <returns><see langword="false"/> for anything that is not such a number. Never throws.</returns>
    public static bool TryParseMilliseconds(ReadOnlySpan<char> value, out TimeSpan wait) =>
        GoDuration.TryParseDecimal(value, GoDuration.NanosecondsPerMillisecond, out wait);

    /// <summary>Stores <paramref name="name"/>'s value when it is one of the retry headers; returns whether it was.</summary>
    internal static bool TryRead(string name, string value, DateTimeOffset now, ref RateLimitSignalsBuilder signals)
    {
        if (name.Equals("retry-after", StringComparison.OrdinalIgnoreCase))
        {
            if (signals.RetryAfterHeader is null && TryParse(value, now, out TimeSpan wait))
            {
                signals.RetryAfterHeader = wait;
            }

            return true;
        }

        if (name.Equals("retry-after-ms", StringComparison.OrdinalIgnoreCase))
        {
            if (signals.RetryAfterMilliseconds is null && TryParseMilliseconds(value, out TimeSpan wait))
            {
                signals.RetryAfterMilliseconds = wait;
            }

            return true;
        }

        if (name.Equals("x-ms-retry-after-ms", StringComparison.OrdinalIgnoreCase))
        {
            if (signals.MsRetryAfterMilliseconds is null && TryParseMilliseconds(value, out TimeSpan wait))
            {
                signals.MsRetryAfterMilliseconds = wait;
            }

            return true;
        }

        if (name.Equals("x-should-retry", StringComparison.OrdinalIgnoreCase))
        {
            if (HeaderValue.TryParseBoolean(value, out bool shouldRetry))
            {
                signals.ShouldRetryHeader = shouldRetry;
            }

            return true;
        }

        return false;
    }
}
