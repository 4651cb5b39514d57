using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Quotas.Windows;
using FastBucket.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Redis.Tests.Quotas;

/// <summary>
/// The window rule forgets what the provider let go of (the contract suite's
/// <c>Observe_ProviderCountsLessThanTheWindowHolds_ForgetsTheOldestCharges</c>), but a process does not know what the
/// others have in flight: charges of the answered request's grant second and the one before are never forgotten.
/// </summary>
public sealed class RedisQuotaForgettingTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly QuotaKey Generic = new(LlmProvider.Generic, "any-model");
    private static readonly QuotaWindowing MinuteOnly = new() { TokenBurstPeriod = TimeSpan.FromMinutes(1), BurstPeriod = TimeSpan.FromMinutes(1) };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    [RedisFact]
    public async Task Observe_AnotherProcessesRecentCharge_IsNotForgotten()
    {
        await using var harness = new RedisQuotaHarness(redis.Server, _time);
        var limits = new QuotaLimits { TokensPerMinute = 1_000 };
        var other = await harness.CreateAsync(limits, o => o.Windowing = MinuteOnly, key: Generic);
        var quota = await harness.CreateAsync(limits, o => o.Windowing = MinuteOnly, key: Generic);

        // Another process's 600 may not have reached the provider when it admitted ours and reported 700 left: granted
        // in the second before ours (at .5 s, ours at 1.4 s).
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.True(other.TryReserve(new RequestCost(1, 300, 300), out var sending, out _));
        _time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.True(quota.TryReserve(new RequestCost(1, 150, 150), out var answered, out _));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        quota.Observe(new RateLimitSignals { Provider = LlmProvider.Generic, StatusCode = 200, Tokens = new RateLimitDimension(1_000, 700, TimeSpan.FromSeconds(15)) }, answered, TimeSpan.FromMilliseconds(500));
        answered.Complete(new TokenUsage(150, 150));
        await quota.FlushAsync();
        await RedisQuotaHarness.UntilSettledAsync(quota);

        Assert.False(quota.TryReserve(new RequestCost(1, 101, 0), out _, out _));
        Assert.True(quota.TryReserve(new RequestCost(1, 100, 0), out var last, out _));
        last.Dispose();
        sending.Dispose();
    }
}
