using System.Collections.Concurrent;
using FastBucket.Catalog;

namespace FastBucket.Quotas;

/// <summary>
/// One <see cref="LlmQuota"/> per provider, model and account, created on first use with limits from, in order:
/// <see cref="QuotaRegistryOptions.Limits"/>, the limits catalog, or discovery. Share one registry across every
/// client that uses the same account, so they draw on the same limits.
/// </summary>
public sealed class QuotaRegistry : IDisposable
{
    private readonly ConcurrentDictionary<QuotaKey, ILlmQuota> _quotas = new();
    private readonly QuotaRegistryOptions _options;
    private readonly LimitsCatalog _catalog;

    /// <summary>Creates a registry.</summary>
    public QuotaRegistry(QuotaRegistryOptions? options = null)
    {
        _options = options ?? new QuotaRegistryOptions();
        _options.Validate();

        _catalog = _options.Catalog ?? LimitsCatalog.CreateDefault();
        Telemetry.FastBucketMetrics.Track(this);
    }

    /// <summary>The quotas created so far.</summary>
    public IReadOnlyCollection<ILlmQuota> Quotas => (IReadOnlyCollection<ILlmQuota>)_quotas.Values;

    /// <summary>The catalog limits come from.</summary>
    public LimitsCatalog Catalog => _catalog;

    /// <summary>The quota for <paramref name="key"/>, created on first use.</summary>
    public ILlmQuota GetOrCreate(QuotaKey key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key.Model, nameof(key));
        return _quotas.TryGetValue(key, out var quota) ? quota : _quotas.GetOrAdd(key, static (k, self) => self.Create(k), this);
    }

    /// <summary>Where the limits of <paramref name="key"/> come from: the catalog entry, if that is the source.</summary>
    public CatalogEntry? FindCatalogEntry(QuotaKey key) =>
        _options.Limits is null ? _catalog.Find(key.Provider, key.Model, _options.Tier) : null;

    /// <summary>Disposes every quota; their waiters complete with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Telemetry.FastBucketMetrics.Untrack(this);
        foreach (var quota in _quotas.Values)
        {
            quota.Dispose();
        }
    }

    private ILlmQuota Create(QuotaKey key)
    {
        var limits = _options.Limits ?? FindCatalogEntry(key)?.Limits;
        if (limits is { } known && known != QuotaLimits.Unlimited)
        {
            if (_options.MaxConcurrency is { } concurrency && known.MaxConcurrency is null)
            {
                known = known with { MaxConcurrency = concurrency };
            }

            return _options.QuotaFactory is { } factory
                ? factory(key, known)
                : new LlmQuota(key, known, _options.TimeProvider, _options.MaxQueuedRequests, _options.BurstHeadroom);
        }

        if (_options.DiscoverUnknownLimits)
        {
            return _options.DiscoveringQuotaFactory is { } discovering
                ? discovering(key, _options.MaxConcurrency)
                : LlmQuota.CreateDiscovering(key, _options.MaxConcurrency, _options.TimeProvider, burstHeadroom: _options.BurstHeadroom);
        }

        var unknown = new QuotaLimits { MaxConcurrency = _options.MaxConcurrency };
        return _options.QuotaFactory is { } unlimited
            ? unlimited(key, unknown)
            : new LlmQuota(key, unknown, _options.TimeProvider, _options.MaxQueuedRequests, _options.BurstHeadroom);
    }
}
