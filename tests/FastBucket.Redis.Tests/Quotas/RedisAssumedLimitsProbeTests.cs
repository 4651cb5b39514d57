using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Redis.Tests.Quotas;

/// <summary>
/// A registry sharing its quotas through Redis probes catalog limits as the in-process one does, across processes: until
/// a fresh quota's first answer, one request at a time whichever process sends it (the rules themselves are in the
/// contract suite).
/// </summary>
public sealed class RedisAssumedLimitsProbeTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly RequestCost Cost = new(1, 100, 100);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    [RedisFact]
    public async Task UseRedis_CatalogLimitsInTwoProcesses_OneProbeBetweenThemUntilTheFirstAnswer()
    {
        await using var harness = new RedisQuotaHarness(redis.Server, _time);
        using var first = await RegistryAsync(harness);
        using var second = await RegistryAsync(harness);
        Assert.NotNull(first.FindCatalogEntry(RedisQuotaHarness.Key));
        var one = (RedisQuota)first.GetOrCreate(RedisQuotaHarness.Key);
        var other = (RedisQuota)second.GetOrCreate(RedisQuotaHarness.Key);

        Assert.True(one.TryReserve(Cost, out var probe, out _));
        Assert.False(other.TryReserve(Cost, out _, out var wait)); // another process: the probe is in flight
        Assert.InRange(wait, TimeSpan.FromTicks(1), LlmQuota.ColdRefillHold);

        one.Observe(new RateLimitSignals { Provider = LlmProvider.OpenAI, StatusCode = 200 }, probe, TimeSpan.FromMilliseconds(300));
        await one.FlushAsync();
        Assert.True(other.TryReserve(Cost, out var next, out _));
        Assert.True(other.TryReserve(Cost, out var after, out _));
        probe.Dispose();
        next.Dispose();
        after.Dispose();
    }

    [RedisFact]
    public async Task UseRedis_LimitsConfiguredByTheUser_NoProbe()
    {
        await using var harness = new RedisQuotaHarness(redis.Server, _time);
        using var registry = await RegistryAsync(harness, new QuotaLimits { RequestsPerMinute = 500, TokensPerMinute = 200_000 });
        var quota = registry.GetOrCreate(RedisQuotaHarness.Key);
        Assert.True(quota.TryReserve(Cost, out var first, out _));
        Assert.True(quota.TryReserve(Cost, out var second, out _));
        first.Dispose();
        second.Dispose();
    }

    private async Task<QuotaRegistry> RegistryAsync(RedisQuotaHarness harness, QuotaLimits? limits = null)
    {
        var connection = await harness.ConnectAsync();
        var options = new QuotaRegistryOptions { Limits = limits, Tier = "tier-1", TimeProvider = _time }
            .UseRedis(connection, o =>
            {
                o.KeyPrefix = harness.Prefix;
                o.UseClientClock = true;
                o.OperationTimeout = TimeSpan.FromSeconds(5);
            });
        return new QuotaRegistry(options);
    }
}
