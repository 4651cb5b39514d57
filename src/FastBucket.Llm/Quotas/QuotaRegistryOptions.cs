using FastBucket.Catalog;

namespace FastBucket.Quotas;

/// <summary>Where a <see cref="QuotaRegistry"/> finds each quota's limits.</summary>
public sealed class QuotaRegistryOptions
{
    /// <summary>Published and user limits by provider, model and tier; <see langword="null"/> for <see cref="LimitsCatalog.CreateDefault"/> (embedded table plus <c>FASTBUCKET_LIMITS</c>).</summary>
    public LimitsCatalog? Catalog { get; set; }

    /// <summary>The account tier to look limits up for (e.g. <c>tier-1</c>); <see langword="null"/> for each provider's default tier.</summary>
    public string? Tier { get; set; }

    /// <summary>Limits for every quota, ahead of the catalog (what <c>--rpm</c>, <c>--tpm</c>... set on the command line).</summary>
    public QuotaLimits? Limits { get; set; }

    /// <summary>Requests in flight at once per quota; <see langword="null"/> for no limit.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>Learn limits from responses when neither <see cref="Limits"/> nor the catalog has them (default). When off, such a quota is unlimited until responses report limits.</summary>
    public bool DiscoverUnknownLimits { get; set; } = true;

    /// <summary>The share of each limit held back from the burst to absorb network jitter (see <see cref="LlmQuota"/>'s constructor); default 0.01.</summary>
    public double BurstHeadroom { get; set; } = 0.01;

    /// <summary>Most requests waiting per quota.</summary>
    public int MaxQueuedRequests { get; set; } = int.MaxValue;

    /// <summary>
    /// Creates each quota from its key and the limits found for it (<see cref="QuotaLimits.Unlimited"/> when none were);
    /// <see langword="null"/> for an in-process <see cref="LlmQuota"/>. FastBucket.Redis sets this to share quotas across processes.
    /// </summary>
    public Func<QuotaKey, QuotaLimits, ILlmQuota>? QuotaFactory { get; set; }

    /// <summary>
    /// How each quota counts its limits over time; <see langword="null"/> for each provider's documented behaviour
    /// (<see cref="Windows.QuotaWindowing.For"/>): a continuous bucket for Anthropic, the safe shape elsewhere, calendar
    /// days in the provider's time zone.
    /// </summary>
    public Func<QuotaKey, Windows.QuotaWindowing>? Windowing { get; set; }

    /// <summary>The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }
}
