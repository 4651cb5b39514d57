using System.Diagnostics;

namespace FastBucket.Simulator.Accounting.Enforcement;

/// <summary>
/// Windows fixed on the wall clock, each allowing the same amount and starting empty: clock-aligned periods
/// (1 s, 10 s, 60 s: Azure's RPM, OpenRouter's free-model minute) or calendar days in a time zone (Gemini's
/// midnight Pacific, OpenRouter's midnight UTC). A charge given back counts only while its window lasts.
/// </summary>
internal sealed class FixedWindowAllowance : Allowance
{
    private readonly Func<DateTimeOffset, (DateTimeOffset Start, DateTimeOffset End)> _windowAt;
    private DateTimeOffset _start;
    private DateTimeOffset _end;
    private long _used;

    private FixedWindowAllowance(RateLimitDimension dimension, long limit, long perWindow, Func<DateTimeOffset, (DateTimeOffset Start, DateTimeOffset End)> windowAt, AccountingInstant at)
        : base(dimension, limit)
    {
        Debug.Assert(perWindow > 0, "A window allows at least one unit.");
        PerWindow = perWindow;
        _windowAt = windowAt;
        (_start, _end) = windowAt(at.UtcNow);
    }

    /// <summary>What one window allows: the limit scaled to the window's length, at least 1.</summary>
    public long PerWindow { get; }

    public DateTimeOffset WindowStart => _start;

    public DateTimeOffset WindowEnd => _end;

    public static FixedWindowAllowance ClockAligned(RateLimitDimension dimension, long limit, TimeSpan window, TimeSpan period, AccountingInstant at)
    {
        long perWindow = Math.Max(1, (long)Math.Floor(limit * (period.Ticks / (double)window.Ticks) + 1e-9));
        long periodTicks = period.Ticks;
        return new FixedWindowAllowance(dimension, limit, perWindow, utc =>
        {
            long start = utc.UtcTicks - (utc.UtcTicks % periodTicks);
            return (new DateTimeOffset(start, TimeSpan.Zero), new DateTimeOffset(start + periodTicks, TimeSpan.Zero));
        }, at);
    }

    public static FixedWindowAllowance CalendarDays(RateLimitDimension dimension, long limit, TimeZoneInfo zone, AccountingInstant at) =>
        new(dimension, limit, limit, utc => CalendarDay(utc, zone), at);

    /// <summary>The calendar day of <paramref name="utc"/> in <paramref name="zone"/>, as UTC instants (23, 24 or 25 hours long).</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) CalendarDay(DateTimeOffset utc, TimeZoneInfo zone)
    {
        DateTime day = TimeZoneInfo.ConvertTimeFromUtc(utc.UtcDateTime, zone).Date;
        return (LocalMidnight(day, zone), LocalMidnight(day.AddDays(1), zone));
    }

    public override void Advance(AccountingInstant at)
    {
        if (at.UtcNow >= _end || at.UtcNow < _start)
        {
            (_start, _end) = _windowAt(at.UtcNow);
            _used = 0;
        }
    }

    public override bool CanEverAdmit(long amount) => amount <= PerWindow;

    public override TimeSpan TimeUntilRoomFor(long amount, AccountingInstant at) =>
        _used + amount <= PerWindow ? TimeSpan.Zero : CeilingTicks((_end - at.UtcNow).TotalSeconds);

    public override void Take(long amount, AccountingInstant at) => _used += amount;

    public override void Return(long amount, AccountingInstant takenAt, AccountingInstant at)
    {
        if (takenAt.UtcNow >= _start && takenAt.UtcNow < _end)
        {
            _used = Math.Max(0, _used - amount);
        }
    }

    public override AllowanceSnapshot Snapshot(AccountingInstant at) =>
        new(Dimension, PerWindow, Math.Max(0, PerWindow - _used), _used == 0 ? TimeSpan.Zero : CeilingTicks((_end - at.UtcNow).TotalSeconds));

    private static DateTimeOffset LocalMidnight(DateTime localDate, TimeZoneInfo zone)
    {
        DateTime local = DateTime.SpecifyKind(localDate, DateTimeKind.Unspecified);

        // Where a daylight-saving change skips midnight, the day starts at the first local time that exists.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }
}
