using FastBucket.Providers.Wire;
using FastBucket.Providers;
using FsCheck.Xunit;

namespace FastBucket.Llm.Tests.Providers.Wire;

public sealed class RetryAfterHeaderTests
{
    private static readonly DateTimeOffset s_now = new(2023, 9, 29, 16, 26, 37, TimeSpan.Zero);

    [Theory]
    [InlineData("20", 20.0)]
    [InlineData("0", 0.0)]
    [InlineData("1.5", 1.5)]
    [InlineData(" 56 ", 56.0)]
    [InlineData("120.001", 120.001)]
    [InlineData("Fri, 29 Sep 2023 16:26:37 GMT", 0.0)]
    [InlineData("Fri, 29 Sep 2023 16:28:37 GMT", 120.0)]
    [InlineData("fri, 29 sep 2023 16:28:37 GMT", 120.0)]
    [InlineData("Friday, 29-Sep-23 16:28:37 GMT", 120.0)]
    [InlineData("Fri Sep 29 16:28:37 2023", 120.0)]
    [InlineData("Fri Sep  9 16:28:37 2023", -1)]
    [InlineData("Sat, 30 Sep 2023 16:26:37 GMT", 86_400.0)]
    public void TryParse_SecondsOrHttpDate_ReadsWait(string value, double expectedSeconds)
    {
        bool parsed = RetryAfterHeader.TryParse(value, s_now, out TimeSpan wait);

        if (expectedSeconds < 0)
        {
            Assert.False(parsed, "a date in the past names no wait");
        }
        else
        {
            Assert.True(parsed);
            Assert.Equal(expectedSeconds, wait.TotalSeconds, 1e-6);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-10")]
    [InlineData("inf")]
    [InlineData("nan")]
    [InlineData("Infinity")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("99999999999999999999999999999999999")]
    [InlineData("Fri, 29 Sep 2023 16:26:27 GMT")]
    [InlineData("Fri, 29 Sep 100000 16:26:57 GMT")]
    [InlineData("Fri, 31 Feb 2024 16:26:57 GMT")]
    [InlineData("Fri, 29 Sep 2023 25:26:57 GMT")]
    [InlineData("Fri, 29 Sep 2023 16:26:57 PST")]
    [InlineData("Blursday, 29-Sep-23 16:26:57 GMT")]
    [InlineData("tomorrow")]
    public void TryParse_UnusableValue_ReturnsFalse(string value)
    {
        Assert.False(RetryAfterHeader.TryParse(value, s_now, out _));
    }

    [Fact]
    public void TryParse_Rfc850TwoDigitYear_PlacedWithinFiftyYearsOfNow()
    {
        Assert.True(RetryAfterHeader.TryParse("Sunday, 06-Nov-94 08:49:37 GMT", new DateTimeOffset(1994, 11, 6, 8, 49, 0, TimeSpan.Zero), out TimeSpan wait));
        Assert.Equal(37.0, wait.TotalSeconds, 1e-9);
    }

    [Theory]
    [InlineData("5875", 5.875)]
    [InlineData("120001", 120.001)]
    [InlineData("2500.5", 2.5005)]
    [InlineData("0", 0.0)]
    public void TryParseMilliseconds_Number_ReadsWait(string value, double expectedSeconds)
    {
        Assert.True(RetryAfterHeader.TryParseMilliseconds(value, out TimeSpan wait));
        Assert.Equal(expectedSeconds, wait.TotalSeconds, 1e-9);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1s")]
    [InlineData("")]
    public void TryParseMilliseconds_NotANumber_ReturnsFalse(string value)
    {
        Assert.False(RetryAfterHeader.TryParseMilliseconds(value, out _));
    }

    [Property(MaxTest = 1000)]
    public bool TryParse_AnyText_NeverThrows(string value, DateTimeOffset now)
    {
        RetryAfterHeader.TryParse(value, now, out _);
        RetryAfterHeader.TryParseMilliseconds(value, out _);
        return true;
    }
}
