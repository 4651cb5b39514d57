using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Quotas.Windows;
using FastBucket.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Redis.Tests.Quotas;

/// <summary>
/// Item 5 in the shared store: a fresh 600 RPM quota must not send 594 requests in one instant into a provider that
/// enforces shorter periods (OpenAI's "per minute, enforced as per second"); with the provider's windowing, Redis keeps a
/// burst of one period's share beside each per-minute bucket.
/// </summary>
public sealed class RedisQuotaBurstTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>The provider answered: a new quota's cold hold ends (for every process).</summary>
    private static async Task AnsweredAsync(RedisQuota quota)
    {
        quota.Observe(new RateLimitSignals { Provider = LlmProvider.OpenAI, StatusCode = 200 });
        await quota.FlushAsync();
    }

    private static int ReserveAll(ILlmQuota quota)
    {
        int granted = 0;
        while (granted < 1_000 && quota.TryReserve(new RequestCost(1, 0, 0), out var reservation, out _))
        {
            reservation.Dispose();
            granted++;
        }

        return granted;
    }

    [RedisFact]
    public async Task TryReserve_Fresh600RpmOpenAIQuota_SendsOneSecondsShareLessTheMarginNotTheMinute()
    {
        await using var harness = new RedisQuotaHarness(redis.Server, _time);
        var quota = await harness.CreateAsync(new QuotaLimits { RequestsPerMinute = 600 }, o => o.Windowing = QuotaWindowing.For(LlmProvider.OpenAI));

        Assert.Equal(7, ReserveAll(quota)); // 10 a second, less the 250 ms margin: 7.5
        await AnsweredAsync(quota); // warm: the cold hold is over (see the contract's TryReserve_BeforeTheFirstAnswer_...)
        _time.Advance(TimeSpan.FromSeconds(1));
        await RedisQuotaHarness.UntilSettledAsync(quota);
        Assert.Equal(7, ReserveAll(quota)); // refilled at the minute's rate, never above the burst
    }

    [RedisFact]
    public async Task TryReserve_NoWindowing_AContinuousBucketAsABareLocalQuota()
    {
        await using var harness = new RedisQuotaHarness(redis.Server, _time);
        var quota = await harness.CreateAsync(new QuotaLimits { RequestsPerMinute = 600 });
        Assert.Equal(600, ReserveAll(quota));
    }

    [RedisFact]
    public async Task TryReserve_AnotherProcessSpentTheBurst_Refused()
    {
        await using var harness = new RedisQuotaHarness(redis.Server, _time);
        void OpenAI(RedisQuotaOptions o) => o.Windowing = QuotaWindowing.For(LlmProvider.OpenAI);
        var first = await harness.CreateAsync(new QuotaLimits { RequestsPerMinute = 600 }, OpenAI);
        var second = await harness.CreateAsync(new QuotaLimits { RequestsPerMinute = 600 }, OpenAI);
        Assert.Equal(7, ReserveAll(first));
        await AnsweredAsync(first);
        Assert.False(second.TryReserve(new RequestCost(1, 0, 0), out _, out var retryAfter));
        Assert.InRange(retryAfter, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(100)); // the next tenth of a second
    }

    [RedisFact]
    public async Task TryReserve_TokensOverTheBurst_GoAloneWhenTheBurstIsFull()
    {
        // A charge larger than one period's share is admitted when the burst is full, as OpenAI's quantum admits one.
        await using var harness = new RedisQuotaHarness(redis.Server, _time);
        var quota = await harness.CreateAsync(new QuotaLimits { TokensPerMinute = 60_000 }, o => o.Windowing = QuotaWindowing.For(LlmProvider.OpenAI));
        await AnsweredAsync(quota);
        Assert.True(quota.TryReserve(new RequestCost(1, 5_000, 0), out _, out _)); // 5,000 against a burst of 750
        Assert.False(quota.TryReserve(new RequestCost(1, 100, 0), out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(4.35), retryAfter); // 4,250 owed plus 100, at 1,000 a second
    }

    [RedisFact]
    public async Task UseRedis_RegistryOfOpenAIQuotas_TheProvidersBurstRule()
    {
        await using var harness = new RedisQuotaHarness(redis.Server, _time);
        var connection = await harness.ConnectAsync();
        var options = new QuotaRegistryOptions { Limits = new QuotaLimits { RequestsPerMinute = 600 }, TimeProvider = _time }
            .UseRedis(connection, o =>
            {
                o.KeyPrefix = harness.Prefix;
                o.UseClientClock = true;
                o.OperationTimeout = TimeSpan.FromSeconds(5);
            });
        using var registry = new QuotaRegistry(options);
        var quota = registry.GetOrCreate(RedisQuotaHarness.Key);
        Assert.IsType<RedisQuota>(quota);
        Assert.Equal(7, ReserveAll(quota));
    }

    [RedisFact]
    public async Task Observe_TwoProcessesSeeOneCongestionEvent_TheSharedBurstShrinksOnce()
    {
        // A 429 while room is reported shrinks the burst for every process, once per congestion event: a 429 another
        // process sees for a request sent before that shrink started belongs to it.
        await using var harness = new RedisQuotaHarness(redis.Server, _time);
        void OpenAI(RedisQuotaOptions o) => o.Windowing = QuotaWindowing.For(LlmProvider.OpenAI);
        var first = await harness.CreateAsync(new QuotaLimits { RequestsPerMinute = 600 }, OpenAI);
        var second = await harness.CreateAsync(new QuotaLimits { RequestsPerMinute = 600 }, OpenAI);
        var refused = new RateLimitSignals
        {
            Provider = LlmProvider.OpenAI, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true,
            RetryAfter = TimeSpan.FromMilliseconds(100), Requests = new RateLimitDimension(600, 500, TimeSpan.FromSeconds(10)),
        };

        first.Observe(refused, null, TimeSpan.FromMilliseconds(200));
        await first.FlushAsync();
        second.Observe(refused, null, TimeSpan.FromMilliseconds(300));
        await second.FlushAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        await RedisQuotaHarness.UntilSettledAsync(second);

        Assert.Equal(2, ReserveAll(second)); // half a second's share less the margin: 2.5 (shrunk twice: 1)
        Assert.Equal(0, ReserveAll(first));
    }
}
