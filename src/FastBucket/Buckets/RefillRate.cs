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

    private RefillRate(BigInteger numerator, BigInteger denominator)
    {
        Debug.Assert(numerator > 0 && denominator > 0);
        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        Numerator = numerator / gcd;
        Denominator = denominator / gcd;
    }

    /// <summary>Tokens per second, numerator of the reduced fraction.</summary>
    internal BigInteger Numerator { get; }

    /// <summary>Tokens per second, denominator of the reduced fraction.</summary>
    internal BigInteger Denominator { get; }

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
        if (!double.IsFinite(tokensPerSecond) || tokensPerSecond < MinTokensPerSecond || tokensPerSecond > MaxTokensPerSecond)
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
        // min <= n/d <= max, compared exactly.
        if (Numerator * 86_400 < Denominator || Numerator > Denominator * 1_000_000_000)
        {
            throw OutOfRange(paramName, TokensPerSecond);
        }
    }

    /// <summary>How many seconds it takes to refill <paramref name="tokens"/>, exactly.</summary>
    internal (BigInteger Numerator, BigInteger Denominator) SecondsFor(long tokens) =>
        (tokens * Denominator, Numerator);

    public bool Equals(RefillRate other) => Numerator == other.Numerator && Denominator == other.Denominator;

    public override bool Equals(object? obj) => obj is RefillRate other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Numerator, Denominator);

    public override string ToString() => TokensPerSecond.ToString("G6", CultureInfo.InvariantCulture) + " tokens/s";

    private static ArgumentOutOfRangeException OutOfRange(string paramName, double value) =>
        new(paramName, value, string.Create(CultureInfo.InvariantCulture,
            $"The refill rate must be a finite number of tokens per second between {MinTokensPerSecond:G6} (one per day) and {MaxTokensPerSecond:G6}."));
}
