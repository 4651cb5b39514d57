using FastBucket.Quotas;
using FastBucket.Redis.Tests.Infrastructure;

namespace FastBucket.Redis.Tests.Quotas;

/// <summary>LlmQuota's semantics, kept in Redis: a fake clock drives both the script (client clock seam) and the local waits.</summary>
public sealed class RedisQuotaTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private RedisQuotaHarness _harness = null!;

    public Task InitializeAsync()
    {
        _harness = new RedisQuotaHarness(redis.Server);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private Task<RedisQuota> CreateAsync(QuotaLimits limits) => _harness.CreateAsync(limits);

    private static async Task<long?> AvailableNowAsync(RedisQuota quota, QuotaDimension dimension)
    {
        await quota.FlushAsync();
        Assert.True(await quota.RefreshAsync());
        return quota.Available(dimension);
    }

    [RedisFact]
    public async Task TryReserve_AllDimensionsHaveRoom_ChargesEach()
    {
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 10, TokensPerMinute = 1_000, InputTokensPerMinute = 800, OutputTokensPerMinute = 300, RequestsPerDay = 100 });
        Assert.True(quota.TryReserve(new RequestCost(1, 100, 50), out var reservation, out _));
        Assert.Equal(9, quota.Available(QuotaDimension.RequestsPerMinute));
        Assert.Equal(850, quota.Available(QuotaDimension.TokensPerMinute));
        Assert.Equal(700, quota.Available(QuotaDimension.InputTokensPerMinute));
        Assert.Equal(250, quota.Available(QuotaDimension.OutputTokensPerMinute));
        Assert.Equal(99, quota.Available(QuotaDimension.RequestsPerDay));
        Assert.Null(quota.Available(QuotaDimension.TokensPerDay));
        Assert.Equal(1, quota.InFlight);
        reservation.Dispose();
        Assert.Equal(0, quota.InFlight);
    }

    [RedisFact]
    public async Task TryReserve_OneDimensionRefuses_NoDimensionStaysCharged()
    {
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 10, TokensPerMinute = 1_000, OutputTokensPerMinute = 100 });
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 90), out _, out _));
        Assert.False(quota.TryReserve(new RequestCost(1, 500, 20), out var none, out var retryAfter));
        Assert.Null(none);
        Assert.Equal(9, quota.Available(QuotaDimension.RequestsPerMinute));
        Assert.Equal(910, quota.Available(QuotaDimension.TokensPerMinute));
        Assert.Equal(10, quota.Available(QuotaDimension.OutputTokensPerMinute));
        Assert.Equal(TimeSpan.FromSeconds(6), retryAfter); // 10 more output tokens at 100 per minute
    }

    [RedisFact]
    public async Task TryReserve_CostOverACapacity_FailsAtOnceNamingTheDimension()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 1_000 });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => quota.TryReserve(new RequestCost(1, 900, 200), out _, out _));
        Assert.Equal("cost", ex.ParamName);
        Assert.Contains("TokensPerMinute", ex.Message, StringComparison.Ordinal);
        Assert.Contains("could never be sent", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await quota.ReserveAsync(new RequestCost(1, 2_000, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => quota.TryReserve(new RequestCost(-1, 0, 0), out _, out _));
    }

    [RedisFact]
    public async Task Complete_UsedLess_RefundsTheDifference()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 1_000, InputTokensPerMinute = 1_000, OutputTokensPerMinute = 1_000 });
        Assert.True(quota.TryReserve(new RequestCost(1, 200, 500), out var reservation, out _));
        reservation.Complete(new TokenUsage(180, 40));
        Assert.Equal(780, await AvailableNowAsync(quota, QuotaDimension.TokensPerMinute));
        Assert.Equal(820, quota.Available(QuotaDimension.InputTokensPerMinute));
        Assert.Equal(960, quota.Available(QuotaDimension.OutputTokensPerMinute));
    }

    [RedisFact]
    public async Task Complete_UsedMore_ChargesDebtRepaidByRefill()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 600 });
        Assert.True(quota.TryReserve(new RequestCost(1, 500, 100), out var reservation, out _));
        reservation.Complete(new TokenUsage(700, 200));
        Assert.Equal(-300, await AvailableNowAsync(quota, QuotaDimension.TokensPerMinute));
        _harness.Time!.Advance(TimeSpan.FromSeconds(30)); // 300 tokens of refill
        Assert.Equal(0, await AvailableNowAsync(quota, QuotaDimension.TokensPerMinute));
        Assert.False(quota.TryReserve(new RequestCost(1, 1, 0), out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(100), retryAfter);
    }

    [RedisFact]
    public async Task Cancel_RefundsEverything_AndLaterEndsDoNothing()
    {
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 5, TokensPerMinute = 1_000, MaxConcurrency = 1 });
        Assert.True(quota.TryReserve(new RequestCost(1, 300, 100), out var reservation, out _));
        reservation.Cancel();
        reservation.Complete(new TokenUsage(10_000, 10_000));
        reservation.Dispose();
        Assert.Equal(5, await AvailableNowAsync(quota, QuotaDimension.RequestsPerMinute));
        Assert.Equal(1_000, quota.Available(QuotaDimension.TokensPerMinute));
        Assert.Equal(1, quota.Available(QuotaDimension.Concurrency));
        Assert.Equal(0, quota.InFlight);
    }

    [RedisFact]
    public async Task Dispose_WithoutComplete_KeepsTheCharge()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 1_000, MaxConcurrency = 1 });
        Assert.True(quota.TryReserve(new RequestCost(1, 300, 100), out var reservation, out _));
        Assert.Equal(0, quota.Available(QuotaDimension.Concurrency));
        reservation.Dispose();
        Assert.Equal(600, await AvailableNowAsync(quota, QuotaDimension.TokensPerMinute));
        Assert.Equal(1, quota.Available(QuotaDimension.Concurrency));
    }

    [RedisFact]
    public async Task ReserveAsync_WaitsOnTheSlowestDimension_ThenGrantsAllTogether()
    {
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 60, TokensPerMinute = 600 });
        Assert.True(quota.TryReserve(new RequestCost(1, 600, 0), out _, out _));
        var pending = quota.ReserveAsync(new RequestCost(1, 100, 0)).AsTask();
        await RedisQuotaHarness.UntilSleepingAsync(quota);
        _harness.Time!.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(10));
        await RedisQuotaHarness.UntilSleepingAsync(quota);
        Assert.False(pending.IsCompleted);
        _harness.Time.Advance(TimeSpan.FromTicks(10));
        var reservation = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(100, reservation.Cost.InputTokens);
        Assert.Equal(0, await AvailableNowAsync(quota, QuotaDimension.TokensPerMinute));
        Assert.Equal(59, quota.Available(QuotaDimension.RequestsPerMinute)); // refilled to 60 (capped), then one taken
    }

    [RedisFact]
    public async Task ReserveAsync_IsFifo_LargeNotStarvedBySmall()
    {
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 1_000, TokensPerMinute = 1_000 });
        Assert.True(quota.TryReserve(new RequestCost(1, 1_000, 0), out _, out _));
        var large = quota.ReserveAsync(new RequestCost(1, 900, 0)).AsTask();
        await RedisQuotaHarness.UntilSleepingAsync(quota);
        var small = quota.ReserveAsync(new RequestCost(1, 10, 0)).AsTask();
        Assert.False(quota.TryReserve(new RequestCost(1, 1, 0), out _, out _)); // no barging past waiters
        Assert.Equal(2, quota.QueuedCount);
        _harness.Time!.Advance(TimeSpan.FromSeconds(6)); // 100 tokens: enough for small, not for large
        await RedisQuotaHarness.UntilSleepingAsync(quota);
        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted);
        _harness.Time.Advance(TimeSpan.FromSeconds(49)); // 910 tokens: both, in order
        await large.WaitAsync(TimeSpan.FromSeconds(10));
        await small.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(6, await AvailableNowAsync(quota, QuotaDimension.TokensPerMinute)); // 916 refilled in 55 s − 910
    }

    [RedisFact]
    public async Task ReserveAsync_Canceled_KeepsNothing()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 100 });
        Assert.True(quota.TryReserve(new RequestCost(1, 100, 0), out _, out _));
        using var cts = new CancellationTokenSource();
        var pending = quota.ReserveAsync(new RequestCost(1, 50, 0), cts.Token).AsTask();
        await RedisQuotaHarness.UntilSleepingAsync(quota);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal(0, quota.QueuedCount);
        _harness.Time!.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(50, await AvailableNowAsync(quota, QuotaDimension.TokensPerMinute));
    }

    [RedisFact]
    public async Task ReserveAsync_ConcurrencyFull_WokenByALocalRelease()
    {
        var quota = await CreateAsync(new QuotaLimits { MaxConcurrency = 1 });
        var first = await quota.ReserveAsync(new RequestCost(1, 0, 0));
        var second = quota.ReserveAsync(new RequestCost(1, 0, 0)).AsTask();
        Assert.False(second.IsCompleted);
        first.Complete(new TokenUsage(0, 0));
        var reservation = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, quota.InFlight);
        reservation.Dispose();
    }

    [RedisFact]
    public async Task Dispose_FailsWaiters_WithObjectDisposed()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 100 });
        Assert.True(quota.TryReserve(new RequestCost(1, 100, 0), out _, out _));
        var pending = quota.ReserveAsync(new RequestCost(1, 50, 0)).AsTask();
        await RedisQuotaHarness.UntilSleepingAsync(quota);
        quota.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending);
    }
}
