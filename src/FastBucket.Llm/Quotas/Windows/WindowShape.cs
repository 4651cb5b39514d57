using System.Globalization;

namespace FastBucket.Quotas.Windows;

/// <summary>
/// The safe shape for a limit whose enforcement is windows or shorter periods, or unknown: at most the limit in any
/// <see cref="Window"/>, and at most <see cref="BurstFraction"/> of it in any <see cref="BurstPeriod"/>. The second
/// rule caps the burst, not the throughput: the fraction is at least <c>BurstPeriod / Window</c>, so back-to-back
/// burst periods still add up to the whole limit per window.
/// </summary>
internal sealed record WindowShape
{
    /// <summary>The shortest burst period <see cref="Shrunk"/> goes down to.</summary>
    public static readonly TimeSpan MinBurstPeriod = TimeSpan.FromMilliseconds(250);

    /// <summary>The margin a per-minute charge is kept past its window by default.</summary>
    public static readonly TimeSpan DefaultExpiryMargin = TimeSpan.FromMilliseconds(250);

    /// <summary>Creates a shape, validating its parts.</summary>
    /// <param name="window">The limit's window, e.g. one minute.</param>
    /// <param name="burstPeriod">The shorter period; <paramref name="window"/> itself for no burst rule.</param>
    /// <param name="burstFraction">The share of the limit admitted in any burst period: from <c>burstPeriod / window</c> to 1.</param>
    /// <param name="expiryMargin">How much longer than its window a charge is counted (0 to the window): the provider
    /// counts a request when it arrives, we when it leaves, so a charge must outlive the server's by the spread of
    /// latencies for the next request not to arrive before the server's window has freed it.</param>
    public WindowShape(TimeSpan window, TimeSpan burstPeriod, double burstFraction, TimeSpan expiryMargin)
    {
        if (window <= TimeSpan.Zero || window > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be more than zero and at most one day.");
        }

        if (burstPeriod <= TimeSpan.Zero || burstPeriod > window)
        {
            throw new ArgumentOutOfRangeException(nameof(burstPeriod), burstPeriod, "The burst period must be more than zero and at most the window.");
        }

        double least = burstPeriod / window;
        if (!(burstFraction >= least - 1e-12 && burstFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(burstFraction), burstFraction, string.Create(CultureInfo.InvariantCulture,
                $"The burst fraction must be from {least:0.####} (burst period / window: less would cap the throughput) to 1."));
        }

        if (expiryMargin < TimeSpan.Zero || expiryMargin > window)
        {
            throw new ArgumentOutOfRangeException(nameof(expiryMargin), expiryMargin, "The expiry margin must be from zero to the window.");
        }

        Window = window;
        BurstPeriod = burstPeriod;
        BurstFraction = Math.Max(least, burstFraction);
        ExpiryMargin = expiryMargin;
    }

    /// <summary>At most the limit in any minute and a sixth of it in any 10 s, each charge kept 250 ms past its window.</summary>
    public static WindowShape PerMinute { get; } = Minute(TimeSpan.FromSeconds(10));

    /// <summary>At most the limit in any 24 hours, with no shorter rule: the safe reading of a per-day limit whose days are unknown.</summary>
    public static WindowShape PerRollingDay { get; } = new(TimeSpan.FromDays(1), TimeSpan.FromDays(1), 1, TimeSpan.FromSeconds(1));

    /// <summary>At most the limit in any minute and its share of <paramref name="burstPeriod"/> (limit × period / minute) in any such period.</summary>
    public static WindowShape Minute(TimeSpan burstPeriod) =>
        new(TimeSpan.FromMinutes(1), burstPeriod, burstPeriod / TimeSpan.FromMinutes(1), DefaultExpiryMargin);

    /// <summary>The window the whole limit counts over.</summary>
    public TimeSpan Window { get; }

    /// <summary>The shorter period of the burst rule; equal to <see cref="Window"/> when there is none.</summary>
    public TimeSpan BurstPeriod { get; }

    /// <summary>The share of the limit admitted in any <see cref="BurstPeriod"/>.</summary>
    public double BurstFraction { get; }

    /// <summary>How much longer than its period a charge is counted.</summary>
    public TimeSpan ExpiryMargin { get; }

    /// <summary>
    /// How much longer than the burst period a charge counts in it: the <see cref="ExpiryMargin"/>, but at most a
    /// fortieth of the period, so the margin never costs the throughput more than 2.5% however short the period.
    /// </summary>
    public TimeSpan BurstExpiryMargin => ExpiryMargin < BurstPeriod / 40 ? ExpiryMargin : BurstPeriod / 40;

    /// <summary>
    /// How the burst rule frees what it counted: <see langword="false"/> (a log) frees each charge a whole burst period
    /// after it was taken, so no burst period ever holds more than the burst limit, whatever its alignment: safe
    /// against fixed short windows (Azure's 1 or 10 s request windows). <see langword="true"/> (a bucket) holds the burst
    /// limit and refills it continuously at the limit's rate, so in any interval <c>T</c> it admits at most the burst
    /// limit plus <c>limit × T / window</c>: what a provider that enforces "N per minute as N/60 per second" admits.
    /// A log frees each charge a whole period (and margin) after it, so when charges are as large as the burst limit
    /// (token charges against one-second periods are) the room one could not use waits with it; a bucket frees
    /// continuously (94% against 99% of the rate in the tests' saturated one-second run).
    /// </summary>
    public bool BurstRefills { get; init; }

    /// <summary>Whether there is a burst rule shorter than the window.</summary>
    public bool HasBurstRule => BurstPeriod < Window;

    /// <summary>Most admitted in any burst period for <paramref name="limit"/>: never below one, rounded up so the throughput stays whole.</summary>
    public long BurstLimit(long limit) => HasBurstRule ? Math.Clamp((long)Math.Ceiling(limit * BurstFraction - 1e-9), 1, limit) : limit;

    /// <summary>
    /// The shape for a provider that answered 429 while reporting capacity left: its enforcement period is shorter
    /// than ours. Halves the burst period and the fraction (not below <see cref="MinBurstPeriod"/> and
    /// <c>period / window</c>): a smaller burst, the same throughput.
    /// </summary>
    public WindowShape Shrunk()
    {
        var period = BurstPeriod / 2 < MinBurstPeriod ? (BurstPeriod < MinBurstPeriod ? BurstPeriod : MinBurstPeriod) : BurstPeriod / 2;
        return new WindowShape(Window, period, Math.Max(period / Window, BurstFraction / 2), ExpiryMargin) { BurstRefills = BurstRefills };
    }
}
