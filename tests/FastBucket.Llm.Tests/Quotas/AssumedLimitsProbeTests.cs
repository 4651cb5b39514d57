using FastBucket.Providers;
using FastBucket.Quotas;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas;

/// <summary>
/// Limits taken from the catalog are a tier's published defaults, not this account's: until the provider's first answer
/// (at most <see cref="LlmQuota.ColdRefillHold"/>) a quota sends one request at a time, so a job restarted on a drained
/// account, or a second process on the key, meets one 429 instead of a burst of them. Here: which quotas the registry
/// probes; the probe's rules, on both stores, are in the contract suite (<c>QuotaContractTests</c>).
/// </summary>
public sealed class AssumedLimitsProbeTests
{
    private static readonly QuotaKey Key = new(LlmProvider.OpenAI, "gpt-4o-mini");
    private static readonly RequestCost Cost = new(1, 100, 100);
    private readonly FakeTimeProvider _time = new();

    private QuotaRegistry Registry(QuotaLimits? limits = null) => new(new QuotaRegistryOptions { TimeProvider = _time, Limits = limits, Tier = "tier-1" });

    private static RateLimitSignals Success() => new() { Provider = LlmProvider.OpenAI, StatusCode = 200 };

    [Fact]
    public void TryReserve_CatalogLimitsBeforeTheFirstAnswer_OneRequestAtATime()
    {
        using var registry = Registry();
        var quota = (LlmQuota)registry.GetOrCreate(Key);
        Assert.NotNull(registry.FindCatalogEntry(Key));

        Assert.True(quota.TryReserve(Cost, out var probe, out _));
        Assert.False(quota.TryReserve(Cost, out _, out var wait));
        Assert.InRange(wait, TimeSpan.FromTicks(1), LlmQuota.ColdRefillHold); // until the gate's bound at most

        probe.Dispose(); // failed before any answer: the slot is free, the next request is the next probe
        Assert.True(quota.TryReserve(Cost, out var next, out _));
        Assert.False(quota.TryReserve(Cost, out _, out _));
        next.Dispose();
    }

    [Fact]
    public void Available_WhileProbing_ReportsTheOneSlotThenTheConfiguredConcurrency()
    {
        using var registry = new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = _time, Tier = "tier-1", MaxConcurrency = 8 });
        var quota = (LlmQuota)registry.GetOrCreate(Key);
        Assert.Equal(1, quota.Available(QuotaDimension.Concurrency)); // the gate, not the 8 configured
        Assert.True(quota.TryReserve(Cost, out var probe, out _));
        Assert.Equal(0, quota.Available(QuotaDimension.Concurrency));

        quota.Observe(Success(), probe, TimeSpan.FromMilliseconds(300));
        Assert.Equal(7, quota.Available(QuotaDimension.Concurrency));
        probe.Dispose();
    }

    [Fact]
    public void TryReserve_LimitsConfiguredByTheUser_NoProbe()
    {
        using var registry = Registry(new QuotaLimits { RequestsPerMinute = 500, TokensPerMinute = 200_000 });
        var quota = registry.GetOrCreate(Key);

        Assert.True(quota.TryReserve(Cost, out var first, out _));
        Assert.True(quota.TryReserve(Cost, out var second, out _));
        first.Dispose();
        second.Dispose();
    }
}
