using FastBucket.Quotas;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The <c>FastBucket</c> configuration section as <c>AddFastBucket</c> binds it (unknown keys are errors, so a typo fails
/// at start-up instead of being ignored); <see cref="Limits"/> is the catalog's, read by the limits catalog.
/// </summary>
internal sealed class FastBucketConfiguration
{
    /// <summary>See <see cref="QuotaRegistryOptions.Tier"/>.</summary>
    public string? Tier { get; set; }

    /// <summary>See <see cref="QuotaRegistryOptions.MaxConcurrency"/>.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>See <see cref="QuotaRegistryOptions.DiscoverUnknownLimits"/>.</summary>
    public bool DiscoverUnknownLimits { get; set; } = true;

    /// <summary>See <see cref="QuotaRegistryOptions.BurstHeadroom"/>.</summary>
    public double BurstHeadroom { get; set; } = new QuotaRegistryOptions().BurstHeadroom;

    /// <summary>See <see cref="QuotaRegistryOptions.MaxQueuedRequests"/>.</summary>
    public int MaxQueuedRequests { get; set; } = int.MaxValue;

    /// <summary>Catalog entries (provider, model, tier, rpm...): bound only so that the section's shape is checked; the catalog reads them.</summary>
    public List<Dictionary<string, string?>>? Limits { get; set; }

    /// <summary>Copies the settings onto <paramref name="options"/>.</summary>
    internal QuotaRegistryOptions ApplyTo(QuotaRegistryOptions options)
    {
        options.Tier = Tier ?? options.Tier;
        options.MaxConcurrency = MaxConcurrency ?? options.MaxConcurrency;
        options.DiscoverUnknownLimits = DiscoverUnknownLimits;
        options.BurstHeadroom = BurstHeadroom;
        options.MaxQueuedRequests = MaxQueuedRequests;
        return options;
    }
}
