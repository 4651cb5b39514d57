namespace FastBucket.E2E.Measurement;

/// <summary>Nearest-rank percentiles.</summary>
internal static class Percentiles
{
    public static double Of(List<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        int rank = (int)Math.Ceiling(percentile / 100 * values.Count);
        return values[Math.Clamp(rank - 1, 0, values.Count - 1)];
    }
}
