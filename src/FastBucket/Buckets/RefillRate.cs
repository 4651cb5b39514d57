using System.Diagnostics;
using System.Globalization;
using System.Numerics;

namespace FastBucket.Buckets;

/// <summary>
/// A refill rate held as an exact fraction of tokens per second, so that "500 per minute" is
/// 500/60 exactly rather than the nearest double. Only used off the hot path (construction,
/// reconfiguration, retry-after arithmetic); the hot path uses the fixed-point form in
/// <see cref="BucketGeneration"/>.
/// </summary>
[DebuggerDisplay("{TokensPerSecond} tokens/s")]
internal readonly struct RefillRate : IEquatable<RefillRate>
{
    /// <summary>The slowest rate served: one token per day.</summary>
    internal const double MinTokensPerSecond = 1.0 / 86_400;

    /// <summary>The fastest rate served: 10^9 tokens per second (one per nanosecond).</summary>
    internal const double MaxTokensPerSecond = 1e9;

    /// <summary>Numerator and denominator stay below this, so products with 2^31-sized factors fit 64 bits.</summary>
    private const long MaxTerm = 1L << 31;

    private RefillRate(BigInteger numerator, BigInteger denominator)
    {
        Debug.Assert(numerator > 0 && denominator > 0);
        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        numerator /= gcd;
        denominator /= gcd;
        if (numerator >= MaxTerm || denominator >= MaxTerm)
        {
            (numerator, denominator) = Approximate(numerator, denominator);
        }

        Numerator = (long)numerator;
        Denominator = (long)denominator;
    }

    /// <summary>Tokens per second, numerator of the reduced fraction (below 2^31).</summary>
    internal long Numerator { get; }

    /// <summary>Tokens per second, denominator of the reduced fraction (below 2^31).</summary>
    internal long Denominator { get; }

    internal double TokensPerSecond => (double)Numerator / (double)Denominator;

    /// <summary><paramref name="tokens"/> per <paramref name="period"/>, exactly.</summary>
    internal static RefillRate Create(long tokens, TimeSpan period, string tokensName, string periodName)
    {
        if (tokens <= 0)
        {
            throw new ArgumentOutOfRangeException(tokensName, tokens, "The number of tokens per period must be at least 1.");
        }

        if (period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(periodName, period, "The refill period must be positive.");
        }

        var rate = new RefillRate(new BigInteger(tokens) * TimeSpan.TicksPerSecond, new BigInteger(period.Ticks));
        rate.Validate(periodName);
        return rate;
    }

    /// <summary>The exact value of a double (every finite double is a dyadic fraction).</summary>
    internal static RefillRate FromTokensPerSecond(double tokensPerSecond, string paramName)
    {
        if (!double.IsFinite(tokensPerSecond) || tokensPerSecond < MinTokensPerSecond * (1 - 1e-9) || tokensPerSecond > MaxTokensPerSecond)
        {
            throw OutOfRange(paramName, tokensPerSecond);
        }

        long bits = BitConverter.DoubleToInt64Bits(tokensPerSecond);
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
        Debug.Assert(exponent != 0, "rates in range are normal doubles");
        mantissa |= 1L << 52;
        exponent -= 1075;
        return exponent >= 0
            ? new RefillRate(new BigInteger(mantissa) << exponent, BigInteger.One)
            : new RefillRate(new BigInteger(mantissa), BigInteger.One << -exponent);
    }

    internal void Validate(string paramName)
    {
        // min <= n/d <= max, with 10^-9 slack for rates given as doubles.
        if ((double)Numerator * 86_400 * (1 + 1e-9) < Denominator || Numerator > Denominator * 1_000_000_000L)
        {
            throw OutOfRange(paramName, TokensPerSecond);
        }
    }

    /// <summary>
    /// The last continued-fraction convergent of n/d whose terms stay below 2^31: the closest fraction of that
    /// size (relative error below 10^-18 for any rate in range). A rate given as a double, like 500 / 60.0,
    /// becomes the fraction it was meant to be (25/3), not its binary expansion.
    /// </summary>
    private static (BigInteger Numerator, BigInteger Denominator) Approximate(BigInteger n, BigInteger d)
    {
        BigInteger h0 = 0, h1 = 1, k0 = 1, k1 = 0;
        while (d != 0)
        {
            var a = BigInteger.DivRem(n, d, out var r);
            var h2 = a * h1 + h0;
            var k2 = a * k1 + k0;
            if (h2 >= MaxTerm || k2 >= MaxTerm)
            {
                break;
            }

            (h0, h1, k0, k1) = (h1, h2, k1, k2);
            (n, d) = (d, r);
        }

        Debug.Assert(k1 > 0 && h1 > 0, "rates in range have a first convergent that fits");
        return (h1, k1);
    }

    public bool Equals(RefillRate other) => Numerator == other.Numerator && Denominator == other.Denominator;

    public override bool Equals(object? obj) => obj is RefillRate other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Numerator, Denominator);

    public override string ToString() => TokensPerSecond.ToString("G6", CultureInfo.InvariantCulture) + " tokens/s";

    private static ArgumentOutOfRangeException OutOfRange(string paramName, double value) =>
        new(paramName, value, string.Create(CultureInfo.InvariantCulture,
            $"The refill rate must be a finite number of tokens per second between {MinTokensPerSecond:G6} (one per day) and {MaxTokensPerSecond:G6}."));
}
