namespace FastBucket.Providers.Wire;

/// <summary>
/// Reads an HTTP-date (RFC 9110 section 5.6.7) in all three forms a recipient must accept:
/// IMF-fixdate / RFC 1123 (<c>Sun, 06 Nov 1994 08:49:37 GMT</c>), RFC 850 (<c>Sunday, 06-Nov-94 08:49:37 GMT</c>)
/// and asctime (<c>Sun Nov  6 08:49:37 1994</c>). Allocation-free, never throws; out-of-range dates
/// (year 100000, 31 February) are refused.
/// </summary>
internal static class HttpDate
{
    private static readonly string[] s_shortDayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    private static readonly string[] s_longDayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    private static readonly string[] s_monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>Reads an HTTP-date.</summary>
    /// <param name="text">The header value.</param>
    /// <param name="now">The client's clock: RFC 850's two-digit years are placed within 50 years of it, as RFC 9110 asks.</param>
    /// <param name="value">The instant, in UTC.</param>
    public static bool TryParse(ReadOnlySpan<char> text, DateTimeOffset now, out DateTimeOffset value)
    {
        value = default;
        ReadOnlySpan<char> s = text.Trim();
        int comma = s.IndexOf(',');
        if (comma < 0)
        {
            return TryParseAsctime(s, out value);
        }

        ReadOnlySpan<char> dayName = s[..comma];
        s = s[(comma + 1)..].TrimStart(' ');
        if (IndexOf(s_shortDayNames, dayName) >= 0)
        {
            return TryParseImfFixdate(s, out value);
        }

        return IndexOf(s_longDayNames, dayName) >= 0 && TryParseRfc850(s, now, out value);
    }

    // "06 Nov 1994 08:49:37 GMT"
    private static bool TryParseImfFixdate(ReadOnlySpan<char> s, out DateTimeOffset value)
    {
        value = default;
        return TryReadNumber(ref s, 1, 2, out int day)
            && TrySkip(ref s, ' ')
            && TryReadMonth(ref s, out int month)
            && TrySkip(ref s, ' ')
            && TryReadNumber(ref s, 4, 4, out int year)
            && TrySkip(ref s, ' ')
            && TryReadTimeOfDay(ref s, out int hour, out int minute, out int second)
            && TryReadZone(s)
            && TryCreate(year, month, day, hour, minute, second, out value);
    }

    // "06-Nov-94 08:49:37 GMT"
    private static bool TryParseRfc850(ReadOnlySpan<char> s, DateTimeOffset now, out DateTimeOffset value)
    {
        value = default;
        if (!(TryReadNumber(ref s, 1, 2, out int day)
            && TrySkip(ref s, '-')
            && TryReadMonth(ref s, out int month)
            && TrySkip(ref s, '-')
            && TryReadNumber(ref s, 2, 2, out int twoDigitYear)
            && TrySkip(ref s, ' ')
            && TryReadTimeOfDay(ref s, out int hour, out int minute, out int second)
            && TryReadZone(s)))
        {
            return false;
        }

        // RFC 9110: a two-digit year more than 50 years in the future is the most recent past year with those digits.
        int century = now.UtcDateTime.Year / 100 * 100;
        int year = century + twoDigitYear;
        if (year > now.UtcDateTime.Year + 50)
        {
            year -= 100;
        }

        return TryCreate(year, month, day, hour, minute, second, out value);
    }

    // "Sun Nov  6 08:49:37 1994" (the day is space-padded)
    private static bool TryParseAsctime(ReadOnlySpan<char> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 4 || IndexOf(s_shortDayNames, s[..3]) < 0)
        {
            return false;
        }

        s = s[3..];
        if (!TrySkip(ref s, ' ') || !TryReadMonth(ref s, out int month) || !TrySkip(ref s, ' '))
        {
            return false;
        }

        s = s.TrimStart(' ');
        return TryReadNumber(ref s, 1, 2, out int day)
            && TrySkip(ref s, ' ')
            && TryReadTimeOfDay(ref s, out int hour, out int minute, out int second)
            && TrySkip(ref s, ' ')
            && TryReadNumber(ref s, 4, 4, out int year)
            && s.IsEmpty
            && TryCreate(year, month, day, hour, minute, second, out value);
    }

    private static bool TryReadTimeOfDay(ref ReadOnlySpan<char> s, out int hour, out int minute, out int second)
    {
        minute = 0;
        second = 0;
        return TryReadNumber(ref s, 2, 2, out hour)
            && TrySkip(ref s, ':')
            && TryReadNumber(ref s, 2, 2, out minute)
            && TrySkip(ref s, ':')
            && TryReadNumber(ref s, 2, 2, out second);
    }

    private static bool TryReadZone(ReadOnlySpan<char> s) => s.Trim() is "GMT" or "UTC";

    private static bool TryReadMonth(ref ReadOnlySpan<char> s, out int month)
    {
        month = s.Length >= 3 ? IndexOf(s_monthNames, s[..3]) + 1 : 0;
        if (month == 0)
        {
            return false;
        }

        s = s[3..];
        return true;
    }

    private static bool TryReadNumber(ref ReadOnlySpan<char> s, int minDigits, int maxDigits, out int number)
    {
        number = 0;
        int i = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            if (i == maxDigits)
            {
                return false;
            }

            number = (number * 10) + (s[i] - '0');
            i++;
        }

        s = s[i..];
        return i >= minDigits;
    }

    private static bool TrySkip(ref ReadOnlySpan<char> s, char expected)
    {
        if (s.IsEmpty || s[0] != expected)
        {
            return false;
        }

        s = s[1..];
        return true;
    }

    private static int IndexOf(string[] names, ReadOnlySpan<char> name)
    {
        for (int i = 0; i < names.Length; i++)
        {
            if (name.Equals(names[i], StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    internal static bool TryCreate(int year, int month, int day, int hour, int minute, int second, out DateTimeOffset value)
    {
        value = default;
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        // A leap second (:60) is read as the last second of the minute.
        value = new DateTimeOffset(year, month, day, hour, minute, Math.Min(second, 59), TimeSpan.Zero);
        return true;
    }
}
