namespace FastBucket.Providers.Wire;

/// <summary>
/// Reads RFC 3339 timestamps as Anthropic sends its resets (<c>2025-08-21T12:41:17.250Z</c>,
/// <c>2025-08-21T12:41:01+00:00</c>). Allocation-free, never throws; fractions past 100 ns are truncated.
/// </summary>
internal static class Rfc3339Timestamp
{
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        ReadOnlySpan<char> s = text.Trim();
        if (s.Length < 20
            || !TryDigits(s[..4], out int year) || s[4] != '-'
            || !TryDigits(s.Slice(5, 2), out int month) || s[7] != '-'
            || !TryDigits(s.Slice(8, 2), out int day) || (s[10] is not ('T' or 't' or ' '))
            || !TryDigits(s.Slice(11, 2), out int hour) || s[13] != ':'
            || !TryDigits(s.Slice(14, 2), out int minute) || s[16] != ':'
            || !TryDigits(s.Slice(17, 2), out int second))
        {
            return false;
        }

        s = s[19..];
        long fractionTicks = 0;
        if (!s.IsEmpty && s[0] == '.')
        {
            int digits = 1;
            long scale = TimeSpan.TicksPerSecond;
            while (digits < s.Length && char.IsAsciiDigit(s[digits]))
            {
                scale /= 10;
                fractionTicks += (s[digits] - '0') * scale;
                digits++;
            }

            if (digits == 1)
            {
                return false;
            }

            s = s[digits..];
        }

        TimeSpan offset;
        if (s is "Z" or "z")
        {
            offset = TimeSpan.Zero;
        }
        else if (s.Length == 6 && (s[0] is '+' or '-') && s[3] == ':'
            && TryDigits(s.Slice(1, 2), out int offsetHours) && TryDigits(s.Slice(4, 2), out int offsetMinutes)
            && offsetHours < 24 && offsetMinutes < 60)
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0);
            if (s[0] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            return false;
        }

        if (!HttpDate.TryCreate(year, month, day, hour, minute, second, out DateTimeOffset local))
        {
            return false;
        }

        long utcTicks = local.UtcTicks + fractionTicks - offset.Ticks;
        if (utcTicks < DateTimeOffset.MinValue.UtcTicks || utcTicks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        value = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
