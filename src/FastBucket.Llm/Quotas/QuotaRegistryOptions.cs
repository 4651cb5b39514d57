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
    /// Creates a quota in discovery mode (no limits known; see <see cref="DiscoverUnknownLimits"/>) from its key and
    /// <see cref="MaxConcurrency"/>; <see langword="null"/> for <see cref="LlmQuota.CreateDiscovering"/>. Required with
    /// <see cref="QuotaFactory"/> while discovery is on, so that discovery is never dropped silently.
    /// </summary>
    public Func<QuotaKey, int?, ILlmQuota>? DiscoveringQuotaFactory { get; set; }

    /// <summary>
    /// How each in-process quota counts its limits over time; <see langword="null"/> for each provider's documented
    /// behaviour (<see cref="Windows.QuotaWindowing.For"/>): a continuous bucket for Anthropic, the safe shape
    /// elsewhere, calendar days in the provider's time zone.
    /// </summary>
    public Func<QuotaKey, Windows.QuotaWindowing>? Windowing { get; set; }

    /// <summary>The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Checks every value; called by <see cref="QuotaRegistry"/>'s constructor and, through <c>AddFastBucket</c>, at start-up.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range; the message names it and the range.</exception>
    /// <exception cref="ArgumentException">A quota factory is set without a discovering one while discovery is on.</exception>
    public void Validate()
    {
        if (MaxConcurrency is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, "MaxConcurrency must be at least 1, or null for no limit.");
        }

        if (MaxQueuedRequests < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxQueuedRequests), MaxQueuedRequests, "MaxQueuedRequests must be at least 1.");
        }

        QuotaPolicy.ValidateHeadroom(BurstHeadroom, nameof(BurstHeadroom));
        if (Limits is { } limits)
        {
            new QuotaPolicy(new QuotaKey(default, "*"), BurstHeadroom, null).ValidateLimits(limits, nameof(Limits));
        }

        if (QuotaFactory is not null && DiscoveringQuotaFactory is null && DiscoverUnknownLimits && Limits is null)
        {
            throw new ArgumentException(
                "QuotaFactory is set but DiscoveringQuotaFactory is not, while DiscoverUnknownLimits is on: quotas without known limits would not discover them. Set DiscoveringQuotaFactory, or DiscoverUnknownLimits = false.",
                nameof(DiscoveringQuotaFactory));
        }
    }
}
