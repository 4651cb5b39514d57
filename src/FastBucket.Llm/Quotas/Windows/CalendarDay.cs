namespace FastBucket.Quotas.Windows;

/// <summary>
/// One calendar day in a time zone, as the instants it spans: from the local midnight that starts it (inclusive)
/// to the one that starts the next day (exclusive). A day is 23 or 25 hours long across a daylight-saving change.
/// </summary>
/// <param name="Start">The first instant of the day.</param>
/// <param name="End">The first instant of the next day.</param>
internal readonly record struct CalendarDay(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>The day of <paramref name="zone"/> that contains <paramref name="instant"/>.</summary>
    public static CalendarDay Containing(DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        DateTime date = TimeZoneInfo.ConvertTime(instant, zone).Date;
        var start = StartOf(date, zone);
        if (start > instant)
        {
            // A day that begins late (a gap at midnight moved its start past the local 00:00): the instant still
            // belongs to the previous day.
            date = date.AddDays(-1);
            start = StartOf(date, zone);
        }

        return new CalendarDay(start, StartOf(date.AddDays(1), zone));
    }

    /// <summary>The first instant of <paramref name="date"/> in <paramref name="zone"/>.</summary>
    /// <remarks>
    /// Local midnight usually exists exactly once. Where a daylight-saving gap starts at midnight (clocks jump from
    /// 23:59:59 to 01:00), the day starts at the jump, which is midnight under the offset before it; where midnight
    /// repeats (clocks fall back across it), the day starts at its first occurrence.
    /// </remarks>
    public static DateTimeOffset StartOf(DateTime date, TimeZoneInfo zone)
    {
        var midnight = DateTime.SpecifyKind(date.Date, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (zone.IsInvalidTime(midnight))
        {
            offset = zone.GetUtcOffset(new DateTimeOffset(midnight.AddHours(-12), zone.BaseUtcOffset).UtcDateTime);
        }
        else if (zone.IsAmbiguousTime(midnight))
        {
            offset = zone.GetAmbiguousTimeOffsets(midnight).Max();
        }
        else
        {
            offset = zone.GetUtcOffset(midnight);
        }

        return new DateTimeOffset(midnight.Ticks - offset.Ticks, TimeSpan.Zero);
    }

    /// <summary>Whether <paramref name="instant"/> falls within this day.</summary>
    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;
}
