using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Quotas.Windows;
using FastBucket.Redis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace FastBucket.Redis.Tests.Quotas;

/// <summary>What one process does to a quota reaches the others: each quota here has its own connection.</summary>
public sealed class RedisQuotaSharingTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private RedisQuotaHarness _harness = null!;

    public Task InitializeAsync()
    {
        _harness = new RedisQuotaHarness(redis.Server);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [RedisFact]
    public async Task TryReserve_TwoClients_DrawOnOneBucket()
    {
        var limits = new QuotaLimits { RequestsPerMinute = 10, TokensPerMinute = 1_000 };
        var a = await _harness.CreateAsync(limits);
        var b = await _harness.CreateAsync(limits);
        Assert.True(a.TryReserve(new RequestCost(1, 600, 0), out _, out _));
        Assert.False(b.TryReserve(new RequestCost(1, 500, 0), out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(6), retryAfter);
        Assert.True(b.TryReserve(new RequestCost(1, 400, 0), out _, out _));
        Assert.Equal(8, b.Available(QuotaDimension.RequestsPerMinute));
    }

    [RedisFact]
    public async Task Release_InOneClient_FreesTheSharedConcurrencySlotForAnother()
    {
        var limits = new QuotaLimits { MaxConcurrency = 1 };
        var a = await _harness.CreateAsync(limits);
        var b = await _harness.CreateAsync(limits);
        Assert.True(a.TryReserve(new RequestCost(1, 0, 0), out var held, out _));
        Assert.False(b.TryReserve(new RequestCost(1, 0, 0), out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(50), retryAfter); // the poll interval: only another process can free it
        var waiting = b.ReserveAsync(new RequestCost(1, 0, 0)).AsTask();
        await RedisQuotaHarness.UntilSleepingAsync(b);
        held.Dispose();
        await a.FlushAsync();
        Assert.False(waiting.IsCompleted);
        _harness.Time!.Advance(TimeSpan.FromMilliseconds(50));
        (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [RedisFact]
    public async Task Observe_RateLimitedInOneClient_HoldsEveryClientUntilTheWaitPassed()
    {
        var limits = new QuotaLimits { RequestsPerMinute = 100 };
        var a = await _harness.CreateAsync(limits);
        var b = await _harness.CreateAsync(limits);
        a.Observe(new RateLimitSignals { StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true, RetryAfter = TimeSpan.FromSeconds(30) });
        await a.FlushAsync();
        Assert.False(b.TryReserve(new RequestCost(1, 0, 0), out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);
        var waiting = b.ReserveAsync(new RequestCost(1, 0, 0)).AsTask();
        await RedisQuotaHarness.UntilSleepingAsync(b);
        _harness.Time!.Advance(TimeSpan.FromSeconds(29));
        await RedisQuotaHarness.UntilSleepingAsync(b);
        Assert.False(waiting.IsCompleted);
        _harness.Time.Advance(TimeSpan.FromSeconds(1));
        (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [RedisFact]
    public async Task Observe_LearnedLimitInOneClient_ReachesAnotherClient()
    {
        var limits = new QuotaLimits { TokensPerMinute = 10_000 };
        var a = await _harness.CreateAsync(limits);
        var b = await _harness.CreateAsync(limits);
        a.Observe(new RateLimitSignals { StatusCode = 200, Tokens = new RateLimitDimension(500, 500, TimeSpan.Zero) });
        await a.FlushAsync();
        Assert.Equal(500, a.Limits.TokensPerMinute);
        Assert.True(await b.RefreshAsync());
        Assert.Equal(500, b.Limits.TokensPerMinute);
        Assert.Equal(500, b.Available(QuotaDimension.TokensPerMinute));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.TryReserve(new RequestCost(1, 600, 0), out _, out _));

        // A third client that has never asked learns it in its first reservation's answer.
        var c = await _harness.CreateAsync(limits);
        Assert.True(c.TryReserve(new RequestCost(1, 100, 0), out _, out _));
        Assert.Equal(500, c.Limits.TokensPerMinute);
    }

    [RedisFact]
    public async Task Observe_RemainingBelowTheSharedLevel_LowersItForEveryClient()
    {
        var limits = new QuotaLimits { TokensPerMinute = 1_000 };
        var a = await _harness.CreateAsync(limits);
        var b = await _harness.CreateAsync(limits);
        a.Observe(new RateLimitSignals { StatusCode = 200, Tokens = new RateLimitDimension(1_000, 250, TimeSpan.FromSeconds(45)) });
        await a.FlushAsync();
        Assert.True(await b.RefreshAsync());
        Assert.Equal(250, b.Available(QuotaDimension.TokensPerMinute));
    }

    [RedisFact]
    public async Task Observe_QuotaExhaustedInOneClient_FailsEveryClientFast()
    {
        var limits = new QuotaLimits { RequestsPerMinute = 100 };
        var a = await _harness.CreateAsync(limits);
        var b = await _harness.CreateAsync(limits);
        a.Observe(new RateLimitSignals { StatusCode = 429, ErrorClass = RateLimitErrorClass.QuotaExhausted, Retryable = false, ErrorCode = "insufficient_quota" });
        await a.FlushAsync();
        var ex = Assert.Throws<QuotaExhaustedException>(() => b.TryReserve(new RequestCost(1, 0, 0), out _, out _));
        Assert.Equal("insufficient_quota", ex.Reason);
        await Assert.ThrowsAsync<QuotaExhaustedException>(async () => await a.ReserveAsync(new RequestCost(1, 0, 0)));
    }

    [RedisFact]
    public async Task Reserve_WritesHashTaggedKeys_ThatExpireWhenTheBucketsAreFullAgain()
    {
        var quota = await _harness.CreateAsync(new QuotaLimits { RequestsPerMinute = 60, MaxConcurrency = 2 });
        Assert.Equal($"{{{_harness.Prefix}:OpenAI:_:gpt-4o-mini}}", quota.RedisKey);
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
        var db = (await _harness.ConnectAsync()).GetDatabase();
        var ttl = await db.KeyTimeToLiveAsync(quota.RedisKey);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(55), TimeSpan.FromSeconds(61 + 1)); // 1 s to refill the request, plus the 60 s margin
        Assert.NotNull(await db.KeyTimeToLiveAsync(quota.RedisKey + ":inflight"));
    }

    [RedisFact]
    public async Task UseRedis_RegistriesInTwoProcesses_ShareTheQuota()
    {
        // A generous operation timeout: a call that times out is served by the local fallback (a loaded run granted a
        // fourth request that way), and this test is about the shared count, not about Redis being slow.
        // Continuous buckets (no burst rule), so the count is the minute's limit alone.
        using var first = new QuotaRegistry(new QuotaRegistryOptions { Limits = new QuotaLimits { RequestsPerMinute = 3 }, BurstHeadroom = 0, Windowing = _ => QuotaWindowing.Continuous }
            .UseRedis(await _harness.ConnectAsync(), o => { o.KeyPrefix = _harness.Prefix; o.OperationTimeout = TimeSpan.FromSeconds(10); }));
        using var second = new QuotaRegistry(new QuotaRegistryOptions { Limits = new QuotaLimits { RequestsPerMinute = 3 }, BurstHeadroom = 0, Windowing = _ => QuotaWindowing.Continuous }
            .UseRedis(await _harness.ConnectAsync(), o => { o.KeyPrefix = _harness.Prefix; o.OperationTimeout = TimeSpan.FromSeconds(10); }));
        var a = first.GetOrCreate(RedisQuotaHarness.Key);
        var b = second.GetOrCreate(RedisQuotaHarness.Key);
        Assert.IsType<RedisQuota>(a);
        int granted = 0;
        for (int i = 0; i < 4; i++)
        {
            granted += (i % 2 == 0 ? a : b).TryReserve(new RequestCost(1, 0, 0), out _, out _) ? 1 : 0;
        }

        Assert.Equal(3, granted);
    }

    [RedisFact]
    public async Task AddFastBucketRedis_RegistryFromDependencyInjection_CreatesRedisQuotas()
    {
        var services = new ServiceCollection();
        services.AddFastBucket(configure: o => o.Limits = new QuotaLimits { RequestsPerMinute = 5 });
        services.AddFastBucketRedis(redis.Server.Configuration, o => o.KeyPrefix = _harness.Prefix);
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<QuotaRegistry>();
        var quota = Assert.IsType<RedisQuota>(registry.GetOrCreate(RedisQuotaHarness.Key));
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
        Assert.True(provider.GetRequiredService<IConnectionMultiplexer>().IsConnected);
    }

    [Fact]
    public void AddFastBucketRedis_EmptyConfiguration_Throws() =>
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddFastBucketRedis(" "));

    [Fact]
    public void Options_OutOfRange_RefusedAtValidationNamingTheValue()
    {
        Assert.Equal("ExpectedInstances", Assert.Throws<ArgumentOutOfRangeException>(() => new RedisQuotaOptions { ExpectedInstances = 0 }.Validate()).ParamName);
        Assert.Equal("OperationTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new RedisQuotaOptions { OperationTimeout = TimeSpan.Zero }.Validate()).ParamName);
        Assert.Equal("KeyPrefix", Assert.Throws<ArgumentException>(() => new RedisQuotaOptions { KeyPrefix = "a{b" }.Validate()).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuotaRegistryOptions().UseRedis(ConnectionMultiplexer.Connect("127.0.0.1:1,abortConnect=false"), o => o.ConcurrencyLeaseDuration = TimeSpan.Zero));
    }
}
