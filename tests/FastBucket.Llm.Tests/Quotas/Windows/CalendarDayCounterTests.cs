using FastBucket.Quotas.Windows;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas.Windows;

public sealed class CalendarDayCounterTests
{
    internal static readonly TimeZoneInfo Pacific = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");

    private static FakeTimeProvider At(int year, int month, int day, int hour, int minute, TimeZoneInfo zone)
    {
        var local = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
        return new FakeTimeProvider(new DateTimeOffset(local, zone.GetUtcOffset(local)));
    }

    [Fact]
    public void TryTake_LimitReached_RefusesUntilMidnightPacificThenAdmitsAgain()
    {
        var time = At(2026, 6, 15, 20, 0, Pacific);
        var counter = new CalendarDayCounter(100, Pacific, time);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(counter.TryTake(1));
        }

        Assert.False(counter.TryTake(1));
        Assert.Equal(TimeSpan.FromHours(4), counter.TimeUntil(1));
        time.Advance(TimeSpan.FromHours(4) - TimeSpan.FromTicks(1));
        Assert.False(counter.TryTake(1));
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(counter.TryTake(1));
        Assert.Equal(99, counter.Available);
    }

    [Fact]
    public void TryTake_RollingBucketWouldAdmit199_CalendarDayAdmitsExactly100()
    {
        // Issue 14 item 3: a bucket refilled at RPD/86,400 per second admitted 199 in one Pacific day against RPD 100.
        var time = At(2026, 6, 15, 0, 0, Pacific);
        var counter = new CalendarDayCounter(100, Pacific, time);
        int admitted = 0;
        for (int minute = 0; minute < 24 * 60; minute++)
        {
            while (counter.TryTake(1))
            {
                admitted++;
            }

            time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(100, admitted);
    }

    [Fact]
    public void NextReset_SpringForwardDay_Is23HoursLong()
    {
        var time = At(2026, 3, 8, 0, 0, Pacific);
        var counter = new CalendarDayCounter(10, Pacific, time);
        Assert.Equal(TimeSpan.FromHours(23), counter.NextReset - time.GetUtcNow());
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 7, 0, 0, TimeSpan.Zero), counter.NextReset);
    }

    [Fact]
    public void NextReset_FallBackDay_Is25HoursLong()
    {
        var time = At(2026, 11, 1, 0, 0, Pacific);
        var counter = new CalendarDayCounter(10, Pacific, time);
        Assert.Equal(TimeSpan.FromHours(25), counter.NextReset - time.GetUtcNow());
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero), counter.NextReset);
    }

    [Fact]
    public void TryTake_Utc_ResetsAtMidnightUtc()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 20, 23, 59, 0, TimeSpan.Zero));
        var counter = new CalendarDayCounter(50, TimeZoneInfo.Utc, time);
        Assert.True(counter.TryTake(50));
        Assert.False(counter.TryTake(1));
        Assert.Equal(TimeSpan.FromMinutes(1), counter.TimeUntil(1));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(counter.TryTake(50));
    }

    [Fact]
    public void StartOf_GapAtMidnight_DayStartsAtTheJump()
    {
        // Chile moves its clocks from 00:00 to 01:00 on the first Sunday of September: local midnight does not exist.
        var santiago = TimeZoneInfo.FindSystemTimeZoneById("America/Santiago");
        var date = new DateTime(2026, 9, 6);
        Assert.True(santiago.IsInvalidTime(date));
        var start = CalendarDay.StartOf(date, santiago);
        Assert.Equal(new DateTimeOffset(2026, 9, 6, 4, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(new DateTime(2026, 9, 6, 1, 0, 0), TimeZoneInfo.ConvertTime(start, santiago).DateTime);
        Assert.Equal(new DateTime(2026, 9, 5), TimeZoneInfo.ConvertTime(start.AddTicks(-1), santiago).Date);
        Assert.Equal(start, CalendarDay.Containing(start.AddTicks(-1), santiago).End);
        Assert.Equal(start, CalendarDay.Containing(start, santiago).Start);
    }

    [Fact]
    public void Adjust_ChargeOfAnEarlierDay_LeavesTodayAlone()
    {
        var time = At(2026, 6, 15, 23, 0, Pacific);
        var counter = new CalendarDayCounter(10, Pacific, time);
        var takenAt = time.GetUtcNow();
        Assert.True(counter.TryTake(4));
        counter.Adjust(-3, takenAt);
        Assert.Equal(1, counter.Used);
        time.Advance(TimeSpan.FromHours(2));
        Assert.True(counter.TryTake(2));
        counter.Adjust(-1, takenAt);
        counter.Adjust(+5, takenAt);
        Assert.Equal(2, counter.Used);
    }

    [Fact]
    public void ExhaustToday_PerDayQuotaError_HoldsUntilMidnightPacific()
    {
        var time = At(2026, 6, 15, 9, 30, Pacific);
        var counter = new CalendarDayCounter(250, Pacific, time);
        Assert.True(counter.TryTake(3));
        counter.ExhaustToday();
        Assert.False(counter.TryTake(1));
        Assert.Equal(TimeSpan.FromHours(14.5), counter.TimeUntil(1));
    }

    [Fact]
    public void ReduceAvailableTo_NeverRaises()
    {
        var time = At(2026, 6, 15, 9, 30, Pacific);
        var counter = new CalendarDayCounter(100, Pacific, time);
        counter.ReduceAvailableTo(40);
        Assert.Equal(40, counter.Available);
        counter.ReduceAvailableTo(70);
        Assert.Equal(40, counter.Available);
        counter.Charge(50);
        Assert.Equal(-10, counter.Available);
    }

    [Fact]
    public void TimeUntil_AmountOverTheLimit_IsInfinite()
    {
        var counter = new CalendarDayCounter(10, TimeZoneInfo.Utc, new FakeTimeProvider());
        Assert.Equal(Timeout.InfiniteTimeSpan, counter.TimeUntil(11));
        Assert.False(counter.TryTake(11));
    }

    [Fact]
    public void Constructor_BadArguments_NameTheParameter()
    {
        Assert.Equal("limit", Assert.Throws<ArgumentOutOfRangeException>(() => new CalendarDayCounter(0, TimeZoneInfo.Utc)).ParamName);
        Assert.Equal("zone", Assert.Throws<ArgumentNullException>(() => new CalendarDayCounter(1, null!)).ParamName);
    }
}
