using System.Collections.Concurrent;
using FastBucket.Catalog;

namespace FastBucket.Quotas;

/// <summary>
/// One <see cref="LlmQuota"/> per provider, model and account, created on first use with limits from, in order:
/// <see cref="QuotaRegistryOptions.Limits"/>, the limits catalog, or discovery. Share one registry across every
/// client that uses the same account, so they draw on the same limits. Models whose limits the provider counts
/// together (a catalog entry's <see cref="CatalogEntry.SharedAs"/>: Claude Sonnet 4.x combined, OpenRouter's
/// <c>:free</c> models per account) draw on one quota. Limits from the catalog are a tier's published defaults, not
/// this account's: until the provider's first answer (at most two seconds) such a quota sends one request at a time.
/// </summary>
public sealed class QuotaRegistry : IDisposable
{
    private readonly ConcurrentDictionary<QuotaKey, ILlmQuota> _quotas = new();

    // Requested key → its quota, so that a lookup resolves the shared key once per model.
    private readonly ConcurrentDictionary<QuotaKey, ILlmQuota> _byRequestedKey = new();
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

    /// <summary>The quota for <paramref name="key"/>, created on first use; the shared one when the catalog says its model shares its limits.</summary>
    public ILlmQuota GetOrCreate(QuotaKey key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key.Model, nameof(key));
        if (_byRequestedKey.TryGetValue(key, out var quota))
        {
            return quota;
        }

        var shared = _catalog.ResolveQuotaKey(key, _options.Tier);
        quota = _quotas.GetOrAdd(shared, static (k, state) => state.Self.Create(k, state.Requested), (Self: this, Requested: key));
        return _byRequestedKey.GetOrAdd(key, quota);
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

    private ILlmQuota Create(QuotaKey key, QuotaKey requested)
    {
        var limits = _options.Limits ?? FindCatalogEntry(requested)?.Limits;
        var windowing = _options.Windowing?.Invoke(key) ?? Windows.QuotaWindowing.For(key.Provider);
        if (limits is { } known && known != QuotaLimits.Unlimited)
        {
            if (_options.MaxConcurrency is { } concurrency && known.MaxConcurrency is null)
            {
                known = known with { MaxConcurrency = concurrency };
            }

            var quota = _options.QuotaFactory is { } factory
                ? factory(key, known)
                : new LlmQuota(key, known, _options.TimeProvider, _options.MaxQueuedRequests, _options.BurstHeadroom, windowing);
            if (_options.Limits is null && quota is IAssumedLimitsProbe probe)
            {
                probe.ProbeUntilFirstAnswer(); // a catalog's published defaults, not this account's
            }

            return quota;
        }

        if (_options.DiscoverUnknownLimits)
        {
            return _options.DiscoveringQuotaFactory is { } discovering
                ? discovering(key, _options.MaxConcurrency)
                : LlmQuota.CreateDiscovering(key, _options.MaxConcurrency, _options.TimeProvider, burstHeadroom: _options.BurstHeadroom, windowing: windowing);
        }

        var unknown = new QuotaLimits { MaxConcurrency = _options.MaxConcurrency };
        return _options.QuotaFactory is { } unlimited
            ? unlimited(key, unknown)
            : new LlmQuota(key, unknown, _options.TimeProvider, _options.MaxQueuedRequests, _options.BurstHeadroom, windowing);
    }
}
