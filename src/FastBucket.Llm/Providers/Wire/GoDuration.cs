using System.Diagnostics;

namespace FastBucket.Providers.Wire;

/// <summary>
/// Reads durations written the way Go's <c>time.Duration.String()</c> writes them (<c>1s</c>, <c>6m0s</c>,
/// <c>12ms</c>, <c>16m17.764s</c>, <c>850µs</c>), which is how OpenAI and Groq send their resets.
/// </summary>
/// <remarks>
/// A port of Go's <c>time.ParseDuration</c>: the same grammar (<c>[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+</c> or a lone
/// <c>0</c>), the same units (<c>ns</c>, <c>us</c>, <c>µs</c> as U+00B5 or U+03BC, <c>ms</c>, <c>s</c>, <c>m</c>,
/// <c>h</c>; also a UTF-8 <c>µ</c> misread as Latin-1), the same rounding of fractions and the same overflow rule (the total must fit a signed 64-bit count
/// of nanoseconds). One extension: a bare decimal number with no unit (<c>"20"</c>, <c>"1.5"</c>) is seconds, as
/// servers that are not written in Go send it. Never throws.
/// </remarks>
internal static class GoDuration
{
    public const ulong NanosecondsPerSecond = 1_000_000_000;
    public const ulong NanosecondsPerMillisecond = 1_000_000;

    private const ulong OverflowLimit = 1UL << 63;

    /// <summary>Reads a Go duration, which may be negative, as a count of nanoseconds.</summary>
    public static bool TryParseNanoseconds(ReadOnlySpan<char> text, out long nanoseconds)
    {
        nanoseconds = 0;
        ReadOnlySpan<char> s = text;
        bool negative = false;
        if (!s.IsEmpty && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return false;
        }

        // The one deviation from Go: a number without any unit is seconds.
        bool bareSeconds = s.IndexOfAnyExcept("0123456789.") < 0 && s.Count('.') <= 1;

        ulong total = 0;
        while (!s.IsEmpty)
        {
            char c = s[0];
            if (!(c == '.' || char.IsAsciiDigit(c)))
            {
                return false;
            }

            int lengthBefore = s.Length;
            if (!TryReadLeadingInteger(ref s, out ulong value))
            {
                return false;
            }

            bool digitsBeforePoint = lengthBefore != s.Length;
            bool digitsAfterPoint = false;
            ulong fraction = 0;
            double scale = 1;
            if (!s.IsEmpty && s[0] == '.')
            {
                s = s[1..];
                int lengthAfterPoint = s.Length;
                ReadLeadingFraction(ref s, out fraction, out scale);
                digitsAfterPoint = lengthAfterPoint != s.Length;
            }

            if (!digitsBeforePoint && !digitsAfterPoint)
            {
                return false;
            }

            int unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength]))
            {
                unitLength++;
            }

            ulong unit;
            if (unitLength == 0)
            {
                if (!bareSeconds)
                {
                    return false;
                }

                unit = NanosecondsPerSecond;
            }
            else if (!TryGetUnit(s[..unitLength], out unit))
            {
                return false;
            }

            s = s[unitLength..];
            if (value > OverflowLimit / unit)
            {
                return false;
            }

            value *= unit;
            if (fraction > 0)
            {
                // Go computes the fraction in float64, which is nanosecond-exact up to hours.
                value += (ulong)(fraction * (unit / scale));
                if (value > OverflowLimit)
                {
                    return false;
                }
            }

            // Go adds first and compares after; checking first also refuses the one sum that wraps 2^64.
            if (value > OverflowLimit - total)
            {
                return false;
            }

            total += value;
        }

        if (negative)
        {
            // total may be exactly 2^63, which is long.MinValue once negated, as in Go.
            nanoseconds = unchecked(-(long)total);
            return true;
        }

        if (total > long.MaxValue)
        {
            return false;
        }

        nanoseconds = (long)total;
        return true;
    }

    /// <summary>Reads a non-negative Go duration (or bare seconds) as a <see cref="TimeSpan"/>, rounded to the nearest tick.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out TimeSpan duration)
    {
        if (TryParseNanoseconds(text.Trim(), out long nanoseconds) && nanoseconds >= 0)
        {
            duration = FromNanoseconds(nanoseconds);
            return true;
        }

        duration = default;
        return false;
    }

    /// <summary>
    /// Reads a non-negative plain decimal number (<c>"20"</c>, <c>"1.5"</c>, <c>"5875"</c>) counted in
    /// <paramref name="unitNanoseconds"/>; no sign, exponent, unit, NaN or infinity.
    /// </summary>
    public static bool TryParseDecimal(ReadOnlySpan<char> text, ulong unitNanoseconds, out TimeSpan duration)
    {
        Debug.Assert(unitNanoseconds is > 0 and <= NanosecondsPerSecond, "Units larger than a second could overflow the fraction arithmetic.");
        duration = default;
        ReadOnlySpan<char> s = text.Trim();
        if (s.IsEmpty || s.IndexOfAnyExcept("0123456789.") >= 0 || s.Count('.') > 1)
        {
            return false;
        }

        int lengthBefore = s.Length;
        if (!TryReadLeadingInteger(ref s, out ulong value))
        {
            return false;
        }

        bool digitsBeforePoint = lengthBefore != s.Length;
        ulong fraction = 0;
        double scale = 1;
        bool digitsAfterPoint = false;
        if (!s.IsEmpty)
        {
            s = s[1..];
            int lengthAfterPoint = s.Length;
            ReadLeadingFraction(ref s, out fraction, out scale);
            digitsAfterPoint = lengthAfterPoint != s.Length;
        }

        if ((!digitsBeforePoint && !digitsAfterPoint) || value > long.MaxValue / unitNanoseconds)
        {
            return false;
        }

        ulong nanoseconds = (value * unitNanoseconds) + (ulong)(fraction * (unitNanoseconds / scale));
        if (nanoseconds > long.MaxValue)
        {
            return false;
        }

        duration = FromNanoseconds((long)nanoseconds);
        return true;
    }

    /// <summary>Converts nanoseconds to a <see cref="TimeSpan"/>, rounding half up to 100 ns ticks.</summary>
    public static TimeSpan FromNanoseconds(long nanoseconds)
    {
        Debug.Assert(nanoseconds >= 0, "Callers reject negative durations first.");
        long ticks = (nanoseconds / 100) + (nanoseconds % 100 >= 50 ? 1 : 0);
        return TimeSpan.FromTicks(ticks);
    }

    private static bool TryGetUnit(ReadOnlySpan<char> unit, out ulong nanoseconds)
    {
        nanoseconds = unit switch
        {
            "ns" => 1,
            // "\u00C2\u00B5s" is a UTF-8 micro sign read as Latin-1, as HttpClient decodes header bytes.
            "us" or "\u00B5s" or "\u03BCs" or "\u00C2\u00B5s" => 1_000,
            "ms" => NanosecondsPerMillisecond,
            "s" => NanosecondsPerSecond,
            "m" => 60 * NanosecondsPerSecond,
            "h" => 3600 * NanosecondsPerSecond,
            _ => 0,
        };
        return nanoseconds != 0;
    }

    // Go's leadingInt: consumes [0-9]*; fails when the value passes 2^63.
    private static bool TryReadLeadingInteger(ref ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        int i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (value > OverflowLimit / 10)
            {
                return false;
            }

            value = (value * 10) + (ulong)(s[i] - '0');
            if (value > OverflowLimit)
            {
                return false;
            }
        }

        s = s[i..];
        return true;
    }

    // Go's leadingFraction: consumes [0-9]*, keeping as many digits as fit and ignoring the rest.
    private static void ReadLeadingFraction(ref ReadOnlySpan<char> s, out ulong fraction, out double scale)
    {
        fraction = 0;
        scale = 1;
        bool overflow = false;
        int i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (overflow)
            {
                continue;
            }

            if (fraction > (OverflowLimit - 1) / 10)
            {
                overflow = true;
                continue;
            }

            ulong next = (fraction * 10) + (ulong)(s[i] - '0');
            if (next > OverflowLimit)
            {
                overflow = true;
                continue;
            }

            fraction = next;
            scale *= 10;
        }

        s = s[i..];
    }
}
