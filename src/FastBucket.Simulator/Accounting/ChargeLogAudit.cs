namespace FastBucket.Simulator.Accounting;

/// <summary>
/// Checks a charge log against the law of a continuously replenishing limit: in any window [a, b], an
/// account's entries sum to at most limit + limit / window-length × (b − a).
/// </summary>
public static class ChargeLogAudit
{
    /// <summary>
    /// The largest amount by which any window of any one account's entries exceeds the law (zero or less when
    /// the law holds). Entries are grouped per account (provider, key fingerprint, model) and windows are
    /// measured on <see cref="ChargeRecord.Offset"/>.
    /// </summary>
    /// <param name="records">The entries, e.g. <see cref="SimulatorStatistics.GetChargeLog()"/>.</param>
    /// <param name="dimension">The dimension to check.</param>
    /// <param name="limit">The limit of that dimension in every account the entries belong to.</param>
    /// <returns>The largest excess in the dimension's unit; <see cref="double.NegativeInfinity"/> when there are no entries.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is less than 1.</exception>
    public static double MaxWindowExcess(IEnumerable<ChargeRecord> records, RateLimitDimension dimension, long limit)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        double rate = limit / RateLimitDimensions.Window(dimension).TotalSeconds;

        double worst = double.NegativeInfinity;
        foreach (IGrouping<(SimulatedProvider, string, string), ChargeRecord> account in records.GroupBy(r => (r.Provider, r.KeyFingerprint, r.Model)))
        {
            worst = Math.Max(worst, MaxExcessOfOneAccount([.. account.OrderBy(r => r.Offset)], dimension, limit, rate));
        }

        return worst;
    }

    private static double MaxExcessOfOneAccount(ChargeRecord[] ordered, RateLimitDimension dimension, long limit, double rate)
    {
        // A window is worst when it starts and ends at entries, and it holds every entry at its end times, so
        // entries sharing an offset are taken as one. With P the prefix sum, the window [t_i, t_j] sums to
        // P_j - P_(i-1) and its excess is (P_j - rate*t_j) - (P_(i-1) - rate*t_i) - limit: one pass with the
        // running minimum of the subtracted term.
        double worst = double.NegativeInfinity;
        double prefixBefore = 0;
        double minimumStartTerm = double.PositiveInfinity;
        int index = 0;
        while (index < ordered.Length)
        {
            TimeSpan offset = ordered[index].Offset;
            double seconds = offset.TotalSeconds;
            double groupSum = 0;
            while (index < ordered.Length && ordered[index].Offset == offset)
            {
                groupSum += ordered[index].AmountOf(dimension);
                index++;
            }

            minimumStartTerm = Math.Min(minimumStartTerm, prefixBefore - (rate * seconds));
            double prefix = prefixBefore + groupSum;
            worst = Math.Max(worst, prefix - (rate * seconds) - minimumStartTerm - limit);
            prefixBefore = prefix;
        }

        return worst;
    }
}
