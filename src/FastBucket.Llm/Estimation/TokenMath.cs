namespace FastBucket.Estimation;

/// <summary>Rounding rules shared by the estimators.</summary>
internal static class TokenMath
{
    // Absorbs floating-point noise such as 100 * 1.2 = 120.00000000000001, which must not round up to 121.
    private const double Tolerance = 1e-9;

    /// <summary><paramref name="tokens"/> times <paramref name="factor"/>, rounded up; a positive count stays at least 1.</summary>
    public static long CeilingScale(long tokens, double factor)
    {
        if (tokens <= 0)
        {
            return tokens;
        }

        double scaled = Math.Ceiling((tokens * factor) - Tolerance);
        return scaled >= long.MaxValue ? long.MaxValue : Math.Max(1, (long)scaled);
    }
}
