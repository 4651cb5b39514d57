using FastBucket.Llm.Tests.Quotas.Contract;
using FastBucket.Quotas;
using FastBucket.Redis.Tests.Infrastructure;

namespace FastBucket.Redis.Tests.Quotas;

/// <summary>The quota contract, kept in a real redis-server: the fake clock drives both the script (client clock seam) and the local waits.</summary>
[RedisContractStore]
public sealed class RedisQuotaContractTests(RedisServerFixture redis) : QuotaContractTests, IClassFixture<RedisServerFixture>
{
    private RedisQuotaHarness _harness = null!;

    public override Task InitializeAsync()
    {
        _harness = new RedisQuotaHarness(redis.Server, Time);
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync() => await _harness.DisposeAsync();

    protected override async Task<ILlmQuota> CreateAsync(QuotaLimits limits, double burstHeadroom = 0, QuotaKey? key = null, FastBucket.Quotas.Windows.QuotaWindowing? windowing = null) =>
        await _harness.CreateAsync(limits, o => o.Windowing = windowing, burstHeadroom: burstHeadroom, key: key);

    protected override async Task<ILlmQuota> CreateDiscoveringAsync(QuotaKey key, int? maxConcurrency) =>
        await _harness.CreateDiscoveringAsync(key, maxConcurrency);

    protected override async Task SettleAsync(ILlmQuota quota)
    {
        var redisQuota = (RedisQuota)quota;
        await redisQuota.FlushAsync();
        await RedisQuotaHarness.UntilSettledAsync(redisQuota);
    }

    protected override async Task<long?> AvailableAsync(ILlmQuota quota, QuotaDimension dimension)
    {
        var redisQuota = (RedisQuota)quota;
        await redisQuota.FlushAsync();
        Assert.True(await redisQuota.RefreshAsync());
        return redisQuota.Available(dimension);
    }

    /// <summary>Skips the contract here as <see cref="RedisFactAttribute"/> skips a Redis test: when redis-server is missing and not required.</summary>
    [AttributeUsage(AttributeTargets.Class)]
    private sealed class RedisContractStoreAttribute : Attribute, IContractStoreAvailability
    {
        public string? SkipReason => new RedisFactAttribute().Skip;
    }
}
