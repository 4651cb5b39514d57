using System.Diagnostics;

namespace FastBucket.Quotas.Windows;

/// <summary>
/// A per-day limit counted the way providers count it: over calendar days of one time zone (Gemini: midnight
/// Pacific; OpenRouter: midnight UTC), starting again from zero at each local midnight, not refilled continuously.
/// Between two local midnights it never admits more than <see cref="Limit"/>, whatever the day's length (23 or 25
/// hours across a daylight-saving change).
/// </summary>
/// <remarks>
/// <para>Lock-free: the day is an immutable span plus one usage word changed by CAS; the first call after a local
/// midnight swaps in the next day with one CAS (one allocation a day). A reservation made on one day and reconciled
/// on the next changes nothing: the day it was charged to is over, and the provider does not carry its count over.</para>
/// <para>The clock is <see cref="TimeProvider.GetUtcNow"/>, the wall clock, because a calendar day is a wall-clock
/// notion. A clock stepped back before the current day's start stays in the current day: the count never restarts
/// from zero early.</para>
/// </remarks>
internal sealed class CalendarDayCounter
{
    private readonly TimeProvider _time;
    private Day _day;
    private long _limit;

    /// <summary>Creates a counter of <paramref name="limit"/> per calendar day of <paramref name="zone"/>.</summary>
    /// <param name="limit">The most admitted per day: at least 1.</param>
    /// <param name="zone">The time zone whose midnights start the days.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    public CalendarDayCounter(long limit, TimeZoneInfo zone, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentNullException.ThrowIfNull(zone);
        Zone = zone;
        _time = timeProvider ?? TimeProvider.System;
        _limit = limit;
        _day = new Day(CalendarDay.Containing(_time.GetUtcNow(), zone));
    }

    /// <summary>The time zone whose midnights start the days.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>The most admitted per calendar day.</summary>
    public long Limit => Volatile.Read(ref _limit);

    /// <summary>Charged today (may exceed <see cref="Limit"/> after overruns or evidence of use elsewhere).</summary>
    public long Used => Volatile.Read(ref Today().Used);

    /// <summary>What is left today; negative in debt.</summary>
    public long Available => Limit - Used;

    /// <summary>The instant the current day ends and the count starts again from zero.</summary>
    public DateTimeOffset NextReset => Today().Span.End;

    /// <summary>Takes <paramref name="amount"/> if today still has room for it.</summary>
    public bool TryTake(long amount)
    {
        Debug.Assert(amount >= 0);
        var day = Today();
        long limit = Limit;
        while (true)
        {
            long used = Volatile.Read(ref day.Used);
            if (used + amount > limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref day.Used, used + amount, used) == used)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Changes a charge made at <paramref name="takenAt"/> by <paramref name="delta"/> (negative: a refund, positive:
    /// an overrun), if that was today; a charge of an earlier day is left alone.
    /// </summary>
    public void Adjust(long delta, DateTimeOffset takenAt)
    {
        var day = Today();
        if (delta != 0 && day.Span.Contains(takenAt))
        {
            Add(day, delta);
        }
    }

    /// <summary>Charges <paramref name="amount"/> to today even beyond the limit (use seen by the provider and not made here).</summary>
    public void Charge(long amount)
    {
        if (amount > 0)
        {
            Add(Today(), amount);
        }
    }

    /// <summary>Lowers what is left today to at most <paramref name="remaining"/> (the provider's count); never raises it.</summary>
    public void ReduceAvailableTo(long remaining)
    {
        var day = Today();
        long floor = Limit - Math.Max(0, remaining);
        long used;
        do
        {
            used = Volatile.Read(ref day.Used);
            if (used >= floor)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref day.Used, floor, used) != used);
    }

    /// <summary>Uses up the rest of today: nothing more is admitted before <see cref="NextReset"/>.</summary>
    public void ExhaustToday() => ReduceAvailableTo(0);

    /// <summary>
    /// How long until <paramref name="amount"/> could be taken: zero if it fits now, the time to the next local
    /// midnight if it fits a fresh day, <see cref="Timeout.InfiniteTimeSpan"/> if it exceeds the limit.
    /// </summary>
    public TimeSpan TimeUntil(long amount)
    {
        long limit = Limit;
        if (amount > limit)
        {
            return Timeout.InfiniteTimeSpan;
        }

        var now = _time.GetUtcNow();
        var day = Today(now);
        return Volatile.Read(ref day.Used) + amount <= limit ? TimeSpan.Zero : day.Span.End - now;
    }

    /// <summary>Changes the limit; today's count is kept.</summary>
    public void SetLimit(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Volatile.Write(ref _limit, limit);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Used}/{Limit} today (until {NextReset:u}, {Zone.Id})";

    private static void Add(Day day, long delta)
    {
        long used;
        do
        {
            used = Volatile.Read(ref day.Used);
        }
        while (Interlocked.CompareExchange(ref day.Used, Math.Max(0, used + delta), used) != used);
    }

    private Day Today() => Today(_time.GetUtcNow());

    private Day Today(DateTimeOffset now)
    {
        while (true)
        {
            var day = Volatile.Read(ref _day);
            if (now < day.Span.End)
            {
                return day;
            }

            var next = new Day(CalendarDay.Containing(now, Zone));
            Debug.Assert(next.Span.Start >= day.Span.End);
            if (Interlocked.CompareExchange(ref _day, next, day) == day)
            {
                return next;
            }
        }
    }

    /// <summary>One day's span and count. Replaced, never reset, so a late write cannot land on the next day.</summary>
    private sealed class Day(CalendarDay span)
    {
        public readonly CalendarDay Span = span;
        public long Used;
    }
}
