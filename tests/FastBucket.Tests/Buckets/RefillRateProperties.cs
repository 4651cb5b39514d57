using System.Numerics;
using FastBucket.Buckets;
using FsCheck;
using FsCheck.Xunit;

namespace FastBucket.Tests.Buckets;

/// <summary>How a rate is stored: as a fraction with terms below 2^31, never above the rate asked for.</summary>
public sealed class RefillRateProperties
{
    [Property(MaxTest = 2_000)]
    public void Create_AnyTokensPerPeriod_NeverAboveTheRateAndBelowItByLessThanMaxOneRateTimesTwoToMinus30(PositiveInt tokensSeed, PositiveInt periodSeed, byte tokenBits, byte periodBits)
    {
        long tokens = Math.Max(1, (long)tokensSeed.Get * tokensSeed.Get * (1L << (tokenBits % 20)) % (1L << 40));
        long periodTicks = Math.Max(1, (long)periodSeed.Get * periodSeed.Get * (1L << (periodBits % 24)) % (1L << 50));
        var exactNumerator = new BigInteger(tokens) * TimeSpan.TicksPerSecond;
        var exactDenominator = new BigInteger(periodTicks);
        if (exactNumerator * 86_400 < exactDenominator || exactNumerator > exactDenominator * 1_000_000_000)
        {
            return; // outside the served range: refused, as tested elsewhere
        }

        var rate = RefillRate.Create(tokens, TimeSpan.FromTicks(periodTicks), "tokens", "period");

        Assert.InRange(rate.Numerator, 1, (1L << 31) - 1);
        Assert.InRange(rate.Denominator, 1, (1L << 31) - 1);
        // stored <= exact, and exact - stored < max(1, exact) × 2^-30, all cross-multiplied to integers.
        var stored = new BigInteger(rate.Numerator) * exactDenominator;
        var exact = exactNumerator * rate.Denominator;
        Assert.True(stored <= exact, $"{tokens} per {periodTicks} ticks stored as {rate.Numerator}/{rate.Denominator}: above it");
        var shortfall = (exact - stored) << 30;
        var bound = BigInteger.Max(exactDenominator, exactNumerator) * rate.Denominator;
        Assert.True(shortfall < bound, $"{tokens} per {periodTicks} ticks stored as {rate.Numerator}/{rate.Denominator}: too far below");
    }

    [Theory]
    [InlineData(1.0 / 3, 1, 3)]
    [InlineData(1.0 / 86_400, 1, 86_400)]
    [InlineData(500 / 60.0, 25, 3)]
    [InlineData(0.1, 1, 10)]
    public void FromTokensPerSecond_DoubleOfASmallFraction_IsThatFraction(double tokensPerSecond, long numerator, long denominator)
    {
        var rate = RefillRate.FromTokensPerSecond(tokensPerSecond, "rate");
        Assert.Equal((numerator, denominator), (rate.Numerator, rate.Denominator));
    }
}
