namespace FastBucket.Providers.Wire;

/// <summary>
/// Finds a limit stated in words in an error message: OpenAI's and Groq's "on requests per minute (RPM): Limit 30" and
/// "on tokens per day (TPD): Limit 100000", or "limited to 8 requests per minute" / "of 1,000 requests per day".
/// Counts may carry thousands separators. Never throws.
/// </summary>
internal static class StatedLimitText
{
    /// <summary>What a limit counts.</summary>
    public enum Subject
    {
        Requests,
        Tokens,
    }

    /// <summary>Reads the first limit stated in <paramref name="message"/>.</summary>
    /// <param name="message">The error text.</param>
    /// <param name="subject">Requests or tokens.</param>
    /// <param name="limit">The limit, or <see langword="null"/> when the text names a window but no number.</param>
    /// <param name="window">The window, or <see langword="null"/> when the text names none (or one shorter than a minute).</param>
    /// <returns>Whether a limit or a window was found.</returns>
    public static bool TryFind(string? message, out Subject subject, out long? limit, out RateLimitWindow? window)
    {
        subject = default;
        limit = null;
        window = null;
        if (string.IsNullOrEmpty(message))
        {
            return false;
        }

        ReadOnlySpan<char> text = message;

        // "... on tokens per min (TPM): Limit 50000, Used 47949, Requested 3006."
        int on = text.IndexOf(" on ", StringComparison.OrdinalIgnoreCase);
        while (on >= 0)
        {
            ReadOnlySpan<char> rest = text[(on + 4)..];
            if (TryReadSubjectAndWindow(rest, out subject, out window, out int used))
            {
                ReadOnlySpan<char> after = rest[used..];
                int stated = after.IndexOf("Limit ", StringComparison.Ordinal);
                if (stated >= 0 && TryReadNumber(after[(stated + "Limit ".Length)..], out long value, out _))
                {
                    limit = value;
                }

                return true;
            }

            int next = rest.IndexOf(" on ", StringComparison.OrdinalIgnoreCase);
            on = next < 0 ? -1 : on + 4 + next;
        }

        // "... limited to 8 requests per minute", "... rate limit of 1,000 requests per day".
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i]) || (i > 0 && (char.IsAsciiLetterOrDigit(text[i - 1]) || text[i - 1] is ',' or '.')))
            {
                continue;
            }

            if (!TryReadNumber(text[i..], out long value, out int digits))
            {
                continue;
            }

            ReadOnlySpan<char> rest = text[(i + digits)..];
            if (rest.StartsWith(' ') && TryReadSubjectAndWindow(rest[1..], out subject, out window, out _) && window is not null)
            {
                limit = value;
                return true;
            }

            i += digits - 1;
        }

        return false;
    }

    /// <summary>Reads "requests per minute", "tokens per day", "requests per min": the subject and its window.</summary>
    private static bool TryReadSubjectAndWindow(ReadOnlySpan<char> text, out Subject subject, out RateLimitWindow? window, out int used)
    {
        window = null;
        used = 0;
        if (text.StartsWith("requests per ", StringComparison.OrdinalIgnoreCase))
        {
            subject = Subject.Requests;
            used = "requests per ".Length;
        }
        else if (text.StartsWith("tokens per ", StringComparison.OrdinalIgnoreCase))
        {
            subject = Subject.Tokens;
            used = "tokens per ".Length;
        }
        else
        {
            subject = default;
            return false;
        }

        ReadOnlySpan<char> unit = text[used..];
        if (unit.StartsWith("min", StringComparison.OrdinalIgnoreCase))
        {
            window = RateLimitWindow.Minute;
        }
        else if (unit.StartsWith("hour", StringComparison.OrdinalIgnoreCase))
        {
            window = RateLimitWindow.Hour;
        }
        else if (unit.StartsWith("day", StringComparison.OrdinalIgnoreCase))
        {
            window = RateLimitWindow.Day;
        }

        return true;
    }

    /// <summary>Reads digits with optional thousands separators (<c>1,000</c>); refuses values past <see cref="long.MaxValue"/>.</summary>
    private static bool TryReadNumber(ReadOnlySpan<char> text, out long value, out int length)
    {
        value = 0;
        length = 0;
        int digits = 0;
        while (length < text.Length)
        {
            char c = text[length];
            if (char.IsAsciiDigit(c))
            {
                if (value > (long.MaxValue - (c - '0')) / 10)
                {
                    value = 0;
                    return false;
                }

                value = (value * 10) + (c - '0');
                digits++;
                length++;
            }
            else if (c == ',' && digits > 0 && length + 3 < text.Length
                && char.IsAsciiDigit(text[length + 1]) && char.IsAsciiDigit(text[length + 2]) && char.IsAsciiDigit(text[length + 3]))
            {
                // A thousands separator: "1,000".
                length++;
            }
            else
            {
                break;
            }
        }

        return digits > 0;
    }
}
