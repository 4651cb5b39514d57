using FastBucket.Providers.Wire;
using FastBucket.Providers;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;

namespace FastBucket.Llm.Tests.Providers.Wire;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("1s", 1_000_000_000L)]
    [InlineData("6m0s", 360_000_000_000L)]
    [InlineData("12ms", 12_000_000L)]
    [InlineData("9ms", 9_000_000L)]
    [InlineData("16m17.764s", 977_764_000_000L)]
    [InlineData("1m30.5s", 90_500_000_000L)]
    [InlineData("1h2m3.5s", 3_723_500_000_000L)]
    [InlineData("14h29m11.04s", 52_151_040_000_000L)]
    [InlineData("850\u00B5s", 850_000L)]
    [InlineData("850\u03BCs", 850_000L)]
    [InlineData("850us", 850_000L)]
    [InlineData("850\u00C2\u00B5s", 850_000L)]
    [InlineData("7ns", 7L)]
    [InlineData("0", 0L)]
    [InlineData("0s", 0L)]
    [InlineData("+5s", 5_000_000_000L)]
    [InlineData("-1.5h", -5_400_000_000_000L)]
    [InlineData(".5s", 500_000_000L)]
    [InlineData("5.s", 5_000_000_000L)]
    [InlineData("1.0000000001s", 1_000_000_000L)]
    [InlineData("2h45m", 9_900_000_000_000L)]
    [InlineData("20", 20_000_000_000L)]
    [InlineData("1.5", 1_500_000_000L)]
    [InlineData("9223372036854775807ns", long.MaxValue)]
    [InlineData("-9223372036854775808ns", long.MinValue)]
    [InlineData("2562047h47m16.854775807s", long.MaxValue)]
    public void TryParseNanoseconds_GoText_ReadsExactValue(string text, long expected)
    {
        Assert.True(GoDuration.TryParseNanoseconds(text, out long nanoseconds));
        Assert.Equal(expected, nanoseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData(".s")]
    [InlineData("-")]
    [InlineData("+")]
    [InlineData("1x")]
    [InlineData("1S")]
    [InlineData("1s2")]
    [InlineData("1.2.3")]
    [InlineData("1e5")]
    [InlineData("NaN")]
    [InlineData("inf")]
    [InlineData("Infinity")]
    [InlineData("9223372036854775808ns")]
    [InlineData("2562048h")]
    [InlineData("99999999999999999999999999999999999")]
    [InlineData("5 s")]
    [InlineData("1,5s")]
    public void TryParseNanoseconds_NotADuration_ReturnsFalse(string text)
    {
        Assert.False(GoDuration.TryParseNanoseconds(text, out _));
    }

    [Theory]
    [InlineData("-1s")]
    [InlineData("-0.001ms")]
    [InlineData("garbage")]
    public void TryParse_NegativeOrGarbage_ReturnsFalse(string text)
    {
        Assert.False(GoDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData("850\u00B5s", 8_500L)]
    [InlineData("149ns", 1L)]
    [InlineData("150ns", 2L)]
    [InlineData(" 1s ", 10_000_000L)]
    public void TryParse_Duration_RoundsToNearestTick(string text, long expectedTicks)
    {
        Assert.True(GoDuration.TryParse(text, out TimeSpan duration));
        Assert.Equal(expectedTicks, duration.Ticks);
    }

    [Fact]
    public void Format_PortOfGo_MatchesGoOutputsFromItsOwnTests()
    {
        // Cases from Go's src/time/time_test.go durationTests.
        Assert.Equal("0s", GoDurationFormat.Format(0));
        Assert.Equal("1ns", GoDurationFormat.Format(1));
        Assert.Equal("1.1\u00B5s", GoDurationFormat.Format(1100));
        Assert.Equal("2.2ms", GoDurationFormat.Format(2_200_000));
        Assert.Equal("3.3s", GoDurationFormat.Format(3_300_000_000));
        Assert.Equal("4m5s", GoDurationFormat.Format((4 * 60_000_000_000L) + 5_000_000_000));
        Assert.Equal("4m5.001s", GoDurationFormat.Format((4 * 60_000_000_000L) + 5_001_000_000));
        Assert.Equal("5h6m7.001s", GoDurationFormat.Format((5 * 3_600_000_000_000L) + (6 * 60_000_000_000L) + 7_001_000_000));
        Assert.Equal("8m0.000000001s", GoDurationFormat.Format((8 * 60_000_000_000L) + 1));
        Assert.Equal("2562047h47m16.854775807s", GoDurationFormat.Format(long.MaxValue));
        Assert.Equal("-2562047h47m16.854775808s", GoDurationFormat.Format(long.MinValue));
    }

    [Property(MaxTest = 2000)]
    public Property TryParseNanoseconds_GoFormattedDuration_ReadsBackTheSameNanoseconds() =>
        Prop.ForAll(Arb.From(AnyDuration()), nanoseconds =>
            GoDuration.TryParseNanoseconds(GoDurationFormat.Format(nanoseconds), out long parsed) && parsed == nanoseconds);

    [Property(MaxTest = 1000)]
    public Property TryParse_NonNegativeGoFormattedDuration_IsWithinHalfATick() =>
        Prop.ForAll(Arb.From(AnyDuration().Select(ns => ns & long.MaxValue)), nanoseconds =>
            GoDuration.TryParse(GoDurationFormat.Format(nanoseconds), out TimeSpan duration)
            && Math.Abs((duration.Ticks * 100) - nanoseconds) <= 50);

    [Property(MaxTest = 1000)]
    public bool TryParseNanoseconds_AnyText_NeverThrows(string text)
    {
        GoDuration.TryParseNanoseconds(text, out _);
        GoDuration.TryParse(text, out _);
        GoDuration.TryParseDecimal(text, GoDuration.NanosecondsPerMillisecond, out _);
        return true;
    }

    // Every magnitude from nanoseconds to the full range, both signs.
    private static Gen<long> AnyDuration() =>
        from high in Gen.Choose(int.MinValue, int.MaxValue)
        from low in Gen.Choose(int.MinValue, int.MaxValue)
        from shift in Gen.Choose(0, 63)
        select ((long)high << 32 | (uint)low) >> shift;
}
