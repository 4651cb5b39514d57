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

    private RefillRate(BigInteger numerator, BigInteger denominator, BigInteger? halfUlpNumerator = null, BigInteger? halfUlpDenominator = null)
    {
        Debug.Assert(numerator > 0 && denominator > 0);
        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        numerator /= gcd;
        denominator /= gcd;
        if (numerator >= MaxTerm || denominator >= MaxTerm)
        {
            (numerator, denominator) = halfUlpNumerator is { } ulpN && halfUlpDenominator is { } ulpD
                && Nearest(numerator, denominator) is var nearest
                && BigInteger.Abs(nearest.Numerator * denominator - numerator * nearest.Denominator) * ulpD <= ulpN * nearest.Denominator * denominator
                ? nearest
                : Below(numerator, denominator);
        }

        Numerator = (long)numerator;
        Denominator = (long)denominator;
        Debug.Assert(Numerator > 0 && Numerator < MaxTerm && Denominator > 0 && Denominator < MaxTerm);
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

        // Out of range before the fraction is reduced to 31-bit terms: above 2^31 tokens per second no such fraction
        // is below the rate, and reducing it failed with a division by zero instead of naming the parameter.
        var numerator = new BigInteger(tokens) * TimeSpan.TicksPerSecond;
        var denominator = new BigInteger(period.Ticks);
        if (numerator > denominator * 1_000_000_000L || numerator * 86_400 < denominator)
        {
            throw OutOfRange(periodName, (double)numerator / (double)denominator);
        }

        var rate = new RefillRate(numerator, denominator);
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
        // Half the spacing of doubles here (2^exponent / 2): a fraction that close is the value the double was
        // rounded from, so 1.0 / 3 is one third and 1.0 / 86_400 one per day, not their binary expansions.
        return exponent >= 0
            ? new RefillRate(new BigInteger(mantissa) << exponent, BigInteger.One, BigInteger.One << exponent, 2)
            : new RefillRate(new BigInteger(mantissa), BigInteger.One << -exponent, BigInteger.One, BigInteger.One << (1 - exponent));
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
    /// size, on either side. Used only for a double within half its spacing of it (see <see cref="FromTokensPerSecond"/>).
    /// </summary>
    private static (BigInteger Numerator, BigInteger Denominator) Nearest(BigInteger n, BigInteger d)
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

        return (h1, k1);
    }

    /// <summary>
    /// The largest fraction with terms below 2^31 that does not exceed n/d: a rate is never rounded up, so a
    /// bucket never runs fast. It is the last even convergent, or the last semiconvergent below n/d that fits
    /// (best one-sided approximations are always one of these). Below n/d by less than
    /// <c>max(1, n/d) × 2^-30</c> tokens per second: for n/d ≥ 1 the fraction floor(x·k)/k with
    /// k = floor((2^31 − 1)/x) already fits, within x/(2^31 − 1 − x); below 1, floor(x·(2^31 − 1))/(2^31 − 1) fits.
    /// </summary>
    private static (BigInteger Numerator, BigInteger Denominator) Below(BigInteger n, BigInteger d)
    {
        // Convergents h/k: (h0, k0) is the one before (h1, k1), whose index is `index`.
        BigInteger h0 = 0, h1 = 1, k0 = 1, k1 = 0;
        int index = -1;
        while (d != 0)
        {
            var a = BigInteger.DivRem(n, d, out var r);
            var h2 = a * h1 + h0;
            var k2 = a * k1 + k0;
            if (h2 >= MaxTerm || k2 >= MaxTerm)
            {
                if (index % 2 == 0)
                {
                    break; // even convergents are below n/d: the last one that fits is the answer
                }

                // The last fitting convergent is above n/d; the semiconvergents (h0 + t·h1)/(k0 + t·k1), t < a,
                // climb towards n/d from below: take the largest t that fits.
                var t = BigInteger.Min(a, BigInteger.Min((MaxTerm - 1 - h0) / h1, (MaxTerm - 1 - k0) / k1));
                return (h0 + t * h1, k0 + t * k1);
            }

            (h0, h1, k0, k1) = (h1, h2, k1, k2);
            (n, d) = (d, r);
            index++;
        }

        Debug.Assert(k1 > 0 && h1 > 0, "rates in range have a lower approximation that fits");
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
