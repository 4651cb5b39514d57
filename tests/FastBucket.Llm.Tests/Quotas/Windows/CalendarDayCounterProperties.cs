using FastBucket.Quotas.Windows;
using FsCheck;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas.Windows;

/// <summary>Laws of the calendar-day counter under random scripts that cross midnights and daylight-saving changes.</summary>
public sealed class CalendarDayCounterProperties
{
    private static readonly TimeZoneInfo[] Zones = [CalendarDayCounterTests.Pacific, TimeZoneInfo.Utc, TimeZoneInfo.FindSystemTimeZoneById("America/Santiago")];

    [Property(MaxTest = 300)]
    public void TryTake_AnyScript_NeverAdmitsMoreThanTheLimitBetweenTwoLocalMidnights(PositiveInt seed, int[] script)
    {
        var zone = Zones[seed.Get % Zones.Length];
        long limit = 1 + seed.Get % 40;

        // Start anywhere in 2026, so scripts cross the daylight-saving changes.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(seed.Get % (365 * 24 * 60)));
        var counter = new CalendarDayCounter(limit, zone, time);
        var perDay = new Dictionary<DateTime, long>();
        foreach (int op in script ?? [])
        {
            time.Advance(TimeSpan.FromMinutes(Math.Abs(op % 600)));
            long amount = 1 + Math.Abs(op / 600 % 5);
            var date = TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).Date;
            long before = perDay.GetValueOrDefault(date);
            bool admitted = counter.TryTake(amount);

            // Admitted exactly when the local date still has room: never more, and never a refusal with room left.
            Assert.Equal(before + amount <= limit, admitted);
            if (admitted)
            {
                perDay[date] = before + amount;
            }
        }

        Assert.All(perDay.Values, used => Assert.InRange(used, 1, limit));
    }

    [Property(MaxTest = 200)]
    public void TimeUntil_WhenRefused_IsExactlyTheNextLocalMidnight(PositiveInt seed, PositiveInt minutes)
    {
        var zone = Zones[seed.Get % Zones.Length];
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes((seed.Get + minutes.Get) % (365 * 24 * 60)));
        var counter = new CalendarDayCounter(3, zone, time);
        Assert.True(counter.TryTake(3));
        var wait = counter.TimeUntil(1);
        Assert.True(wait > TimeSpan.Zero);
        var today = TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).Date;
        time.Advance(wait - TimeSpan.FromTicks(1));
        Assert.Equal(today, TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).Date);
        Assert.False(counter.TryTake(1));
        time.Advance(TimeSpan.FromTicks(1));
        Assert.NotEqual(today, TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).Date);
        Assert.True(counter.TryTake(1));
    }
}
