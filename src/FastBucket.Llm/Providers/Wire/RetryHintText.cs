namespace FastBucket.Providers.Wire;

/// <summary>
/// Finds a wait stated only in an error message: OpenAI's and Groq's "Please try again in 1.146s" (Go duration),
/// Gemini's "Please retry in 40.609213465s.", Azure's "Please retry after 6 seconds." Never throws.
/// </summary>
internal static class RetryHintText
{
    private static readonly string[] s_phrases = ["try again in ", "retry in ", "retry after "];

    /// <summary>Reads the first stated wait in <paramref name="message"/>.</summary>
    public static bool TryFind(string? message, out TimeSpan wait)
    {
        wait = default;
        if (string.IsNullOrEmpty(message))
        {
            return false;
        }

        foreach (string phrase in s_phrases)
        {
            int at = message.IndexOf(phrase, StringComparison.OrdinalIgnoreCase);
            if (at >= 0 && TryReadWait(message.AsSpan(at + phrase.Length), out wait))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryReadWait(ReadOnlySpan<char> text, out TimeSpan wait)
    {
        text = text.TrimStart(' ');
        int end = 0;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '.' or '\u00B5' or '\u03BC'))
        {
            end++;
        }

        // A sentence's full stop is not part of the duration: "40.6s." -> "40.6s".
        ReadOnlySpan<char> token = text[..end].TrimEnd('.');
        ReadOnlySpan<char> after = text[end..].TrimStart(' ');
        if (token.IsEmpty)
        {
            wait = default;
            return false;
        }

        // "6 seconds", "2 minutes", "120 milliseconds": a number followed by a unit word.
        if (token.IndexOfAnyExcept("0123456789.") < 0)
        {
            ulong unit = UnitWord(after);
            if (unit != 0)
            {
                if (unit <= GoDuration.NanosecondsPerSecond)
                {
                    return GoDuration.TryParseDecimal(token, unit, out wait);
                }

                if (GoDuration.TryParseDecimal(token, GoDuration.NanosecondsPerSecond, out TimeSpan seconds)
                    && seconds.Ticks <= TimeSpan.MaxValue.Ticks / (long)(unit / GoDuration.NanosecondsPerSecond))
                {
                    wait = TimeSpan.FromTicks(seconds.Ticks * (long)(unit / GoDuration.NanosecondsPerSecond));
                    return true;
                }

                wait = default;
                return false;
            }
        }

        return GoDuration.TryParse(token, out wait);
    }

    private static ulong UnitWord(ReadOnlySpan<char> text)
    {
        if (text.StartsWith("millisecond", StringComparison.OrdinalIgnoreCase))
        {
            return GoDuration.NanosecondsPerMillisecond;
        }

        if (text.StartsWith("sec", StringComparison.OrdinalIgnoreCase))
        {
            return GoDuration.NanosecondsPerSecond;
        }

        if (text.StartsWith("min", StringComparison.OrdinalIgnoreCase))
        {
            return 60 * GoDuration.NanosecondsPerSecond;
        }

        return text.StartsWith("hour", StringComparison.OrdinalIgnoreCase) ? 3600 * GoDuration.NanosecondsPerSecond : 0;
    }
}
