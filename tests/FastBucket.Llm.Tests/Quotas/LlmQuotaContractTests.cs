using FastBucket.Llm.Tests.Quotas.Contract;
using FastBucket.Quotas;

namespace FastBucket.Llm.Tests.Quotas;

/// <summary>The quota contract, in process.</summary>
public sealed class LlmQuotaContractTests : QuotaContractTests
{
    private readonly List<LlmQuota> _quotas = [];

    public override Task DisposeAsync()
    {
        _quotas.ForEach(q => q.Dispose());
        return Task.CompletedTask;
    }

    protected override Task<ILlmQuota> CreateAsync(QuotaLimits limits, double burstHeadroom = 0, QuotaKey? key = null, FastBucket.Quotas.Windows.QuotaWindowing? windowing = null) =>
        Task.FromResult<ILlmQuota>(Track(new LlmQuota(key ?? Key, limits, Time, burstHeadroom: burstHeadroom, windowing: windowing)));

    protected override Task<ILlmQuota> CreateDiscoveringAsync(QuotaKey key, int? maxConcurrency) =>
        Task.FromResult<ILlmQuota>(Track(LlmQuota.CreateDiscovering(key, maxConcurrency, Time)));

    protected override Task SettleAsync(ILlmQuota quota) => Task.CompletedTask; // everything happens on the caller's thread

    protected override Task<long?> AvailableAsync(ILlmQuota quota, QuotaDimension dimension) => Task.FromResult(quota.Available(dimension));

    private LlmQuota Track(LlmQuota quota)
    {
        _quotas.Add(quota);
        return quota;
    }
}
