using FastBucket.Simulator.Accounting;

namespace FastBucket.Simulator.Tests.Accounting;

public sealed class RateLimitsTests
{
    [Fact]
    public void Parse_CompactForm_SetsEachNamedDimension()
    {
        RateLimits limits = RateLimits.Parse(" RPM=500, tpm=200000; itpm=30000,otpm=8000,rpd=10000,tpd=5000000 ");

        Assert.Equal(500, limits.RequestsPerMinute);
        Assert.Equal(200_000, limits.TokensPerMinute);
        Assert.Equal(30_000, limits.InputTokensPerMinute);
        Assert.Equal(8_000, limits.OutputTokensPerMinute);
        Assert.Equal(10_000, limits.RequestsPerDay);
        Assert.Equal(5_000_000, limits.TokensPerDay);
    }

    [Theory]
    [InlineData("")]
    [InlineData("none")]
    public void Parse_EmptyOrNone_IsUnlimited(string text) => Assert.True(RateLimits.Parse(text).IsUnlimited);

    [Theory]
    [InlineData("rpm")]
    [InlineData("rpm=0")]
    [InlineData("rpm=-5")]
    [InlineData("rpm=1.5")]
    [InlineData("qpm=5")]
    [InlineData("=5")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(RateLimits.TryParse(text, out _));
        Assert.Throws<FormatException>(() => RateLimits.Parse(text));
    }

    [Fact]
    public void ToString_RoundTripsThroughParse()
    {
        var limits = new RateLimits { RequestsPerMinute = 50, InputTokensPerMinute = 30_000, OutputTokensPerMinute = 8_000 };

        Assert.Equal("rpm=50,itpm=30000,otpm=8000", limits.ToString());
        Assert.Equal(limits.ToString(), RateLimits.Parse(limits.ToString()).ToString());
        Assert.Equal("none", RateLimits.Unlimited().ToString());
    }

    [Fact]
    public void Indexer_UnknownDimension_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>("dimension", () => new RateLimits()[(RateLimitDimension)99]);
}
