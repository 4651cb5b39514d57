using System.Diagnostics.CodeAnalysis;
using FastBucket.Providers;

namespace FastBucket.Quotas.Windows;

/// <summary>
/// How a provider counts its limits over time, as the quota enforces them: per-minute limits as a continuously
/// refilled token bucket or in the safe shape (at most the limit in any minute and its share of a shorter burst
/// period), and per-day limits over calendar days of a time zone or, when the days are not documented, as at most
/// the limit in any 24 hours. <see cref="For"/> gives each provider's documented behaviour; set your own where you
/// know better.
/// </summary>
/// <remarks>
/// Documented: Anthropic replenishes continuously (a token bucket); OpenAI enforces over shorter periods ("60,000
/// requests/minute may be enforced as 1,000 requests/second") and Azure OpenAI its requests over 1 or 10 second
/// periods, so both start with one-second bursts (Azure's tokens are "a running token count ... reset each minute":
/// at most the limit in any minute, no shorter rule); Gemini's per-day quotas reset at midnight Pacific and OpenRouter's at midnight UTC.
/// Everything else (Gemini's and OpenRouter's minutes, Groq, OpenAI-compatible servers) is unknown and gets the safe
/// shape with 10-second bursts. Where the enforcement is unknown, the quota also reads the provider's resets: when they
/// show a continuously refilled bucket (<see cref="DetectsContinuousBucket"/>), its per-minute limits become that bucket.
/// A 429 while the provider still reports capacity left shrinks the burst period further (down to <c>250 ms</c>; a
/// learned bucket returns to the safe shape); after that, such 429s halve the request pace (see
/// <see cref="LlmQuota"/>'s adaptation).
/// </remarks>
public sealed record QuotaWindowing
{
    private static readonly TimeZoneInfo PacificZone = FindPacific();

    /// <summary>
    /// Every limit is one continuously refilled token bucket of the whole limit (per-day limits too, unless
    /// <see cref="DayTimeZone"/> names their days); <see langword="false"/> for the safe shape.
    /// </summary>
    public bool ContinuousBucket { get; init; }

    /// <summary>
    /// Whether per-minute limits counted in the safe shape become continuously refilled buckets once the provider's own
    /// resets show one: three responses in a row, over at least two seconds, whose reset is what was used over the
    /// refill rate (<c>(limit − remaining) × 60 s / limit</c>), as a bucket's time to full is; a fixed window's or a
    /// sliding log's reset is not. A 429 while room is reported, or three contradicting responses in a row, return them
    /// to the safe shape for good. <see cref="For"/> sets it where the provider does not document its enforcement.
    /// </summary>
    public bool DetectsContinuousBucket { get; init; }

    /// <summary>Every limit a continuously refilled token bucket: what a bare <see cref="LlmQuota"/> enforces unless told otherwise.</summary>
    public static QuotaWindowing Continuous { get; } = new() { ContinuousBucket = true };

    /// <summary>The shorter period of the safe shape: from 250 ms to one minute. Default 10 s.</summary>
    public TimeSpan BurstPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The shorter period of the safe shape for token limits, where it differs from <see cref="BurstPeriod"/>: from
    /// 250 ms to one minute (one minute: no shorter rule, at most the limit in any minute); <see langword="null"/>
    /// (the default) for <see cref="BurstPeriod"/>.
    /// </summary>
    public TimeSpan? TokenBurstPeriod { get; init; }

    /// <summary>
    /// How long past its window a charge still counts (0 to 10 s; default 250 ms): the provider counts a request when
    /// it arrives and we when it leaves, so the next request must not arrive before the server's window freed the last.
    /// </summary>
    public TimeSpan ExpiryMargin { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The time zone whose midnights start the days of per-day limits; <see langword="null"/> when unknown (at most the limit in any 24 hours).</summary>
    public TimeZoneInfo? DayTimeZone { get; init; }

    /// <summary>The Pacific time zone (<c>America/Los_Angeles</c>, with daylight saving) Gemini's days follow.</summary>
    public static TimeZoneInfo Pacific => PacificZone;

    /// <summary>The documented behaviour of <paramref name="provider"/>.</summary>
    public static QuotaWindowing For(LlmProvider provider) => provider switch
    {
        LlmProvider.Anthropic => new QuotaWindowing { ContinuousBucket = true },
        LlmProvider.OpenAI => new QuotaWindowing { BurstPeriod = TimeSpan.FromSeconds(1) },

        // Azure: requests "over a small period of time, typically 1 or 10 seconds"; tokens added to "a running token
        // count of all requests that is reset each minute": a minute, with no shorter rule.
        LlmProvider.AzureOpenAI => new QuotaWindowing { BurstPeriod = TimeSpan.FromSeconds(1), TokenBurstPeriod = TimeSpan.FromMinutes(1) },
        LlmProvider.Gemini => new QuotaWindowing { DayTimeZone = Pacific, DetectsContinuousBucket = true },
        LlmProvider.OpenRouter => new QuotaWindowing { DayTimeZone = TimeZoneInfo.Utc, DetectsContinuousBucket = true },
        _ => new QuotaWindowing { DetectsContinuousBucket = true },
    };

    /// <summary>Checks the settings, naming the one out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range.</exception>
    public void Validate()
    {
        if (BurstPeriod < WindowShape.MinBurstPeriod || BurstPeriod > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(BurstPeriod), BurstPeriod, "The burst period must be from 250 ms to one minute.");
        }

        if (TokenBurstPeriod is { } tokens && (tokens < WindowShape.MinBurstPeriod || tokens > TimeSpan.FromMinutes(1)))
        {
            throw new ArgumentOutOfRangeException(nameof(TokenBurstPeriod), tokens, "The token burst period must be from 250 ms to one minute.");
        }

        if (ExpiryMargin < TimeSpan.Zero || ExpiryMargin > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(ExpiryMargin), ExpiryMargin, "The expiry margin must be from zero to 10 s.");
        }
    }

    /// <summary>The window that counts <paramref name="dimension"/> with <paramref name="limit"/>.</summary>
    internal QuotaWindow CreateWindow(QuotaDimension dimension, long limit, TimeProvider timeProvider, double burstHeadroom)
    {
        bool perDay = dimension is QuotaDimension.RequestsPerDay or QuotaDimension.TokensPerDay;
        if (perDay && DayTimeZone is { } zone)
        {
            return new CalendarWindow(limit, zone, timeProvider);
        }

        if (ContinuousBucket)
        {
            return new BucketWindow(limit, perDay ? TimeSpan.FromDays(1) : TimeSpan.FromMinutes(1), burstHeadroom, timeProvider);
        }

        // Requests are counted in a log (one request never wastes a period, and a log is safe against fixed short
        // windows, which Azure documents for requests); tokens in a refilling burst (a token charge can be as large
        // as a whole period's share, which a log would waste, and no provider documents fixed short windows for
        // tokens: Azure's token counter resets each minute, OpenAI's "per second" is a rate).
        if (perDay)
        {
            return new LogWindow(limit, WindowShape.PerRollingDay, timeProvider);
        }

        var period = BurstPeriodOf(dimension);
        var shape = new WindowShape(TimeSpan.FromMinutes(1), period, period / TimeSpan.FromMinutes(1), ExpiryMargin);
        var log = new LogWindow(limit, shape with { BurstRefills = shape.HasBurstRule && dimension != QuotaDimension.RequestsPerMinute }, timeProvider);
        return DetectsContinuousBucket ? new ShapeLearningWindow(log, burstHeadroom, timeProvider) : log;
    }

    /// <summary>The shorter period of the safe shape for a per-minute <paramref name="dimension"/>: <see cref="BurstPeriod"/> for requests, <see cref="TokenBurstPeriod"/> (or it) for tokens.</summary>
    internal TimeSpan BurstPeriodOf(QuotaDimension dimension) =>
        dimension == QuotaDimension.RequestsPerMinute ? BurstPeriod : TokenBurstPeriod ?? BurstPeriod;

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Any failure to load the zone falls back to a fixed offset.")]
    private static TimeZoneInfo FindPacific()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");
        }
        catch (Exception)
        {
            // No time zone data: standard time all year. In summer the day then ends an hour after the provider's,
            // which only ever resets late, never early.
            return TimeZoneInfo.CreateCustomTimeZone("Pacific Standard Time (fixed)", TimeSpan.FromHours(-8), "Pacific", "Pacific");
        }
    }
}
