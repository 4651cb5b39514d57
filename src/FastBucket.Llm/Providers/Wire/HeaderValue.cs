namespace FastBucket.Providers.Wire;

/// <summary>Span-based readers for the small values rate-limit headers carry. Allocation-free, never throw.</summary>
internal static class HeaderValue
{
    /// <summary>Reads a count: ASCII digits only, surrounding whitespace ignored. Signs (Azure's <c>-1</c>), fractions and values past <see cref="long.MaxValue"/> are refused.</summary>
    public static bool TryParseCount(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        ReadOnlySpan<char> s = text.Trim();
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c) || value > (long.MaxValue - (c - '0')) / 10)
            {
                value = 0;
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    /// <summary>Reads <c>true</c> or <c>false</c> (the <c>x-should-retry</c> header). SDKs compare the exact lowercase text; any case is accepted here.</summary>
    public static bool TryParseBoolean(ReadOnlySpan<char> text, out bool value)
    {
        ReadOnlySpan<char> s = text.Trim();
        value = s.Equals("true", StringComparison.OrdinalIgnoreCase);
        return value || s.Equals("false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The time from <paramref name="now"/> until <paramref name="resetAt"/>; zero when that is already past.</summary>
    public static TimeSpan ResetAfter(DateTimeOffset resetAt, DateTimeOffset now)
    {
        long ticks = resetAt.UtcTicks - now.UtcTicks;
        return ticks > 0 ? TimeSpan.FromTicks(ticks) : TimeSpan.Zero;
    }

    /// <summary>Whether <paramref name="name"/> starts with <paramref name="prefix"/>, ignoring ASCII case; the rest is returned.</summary>
    public static bool TryStripPrefix(ReadOnlySpan<char> name, string prefix, out ReadOnlySpan<char> rest)
    {
        if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            rest = name[prefix.Length..];
            return true;
        }

        rest = default;
        return false;
    }
}
