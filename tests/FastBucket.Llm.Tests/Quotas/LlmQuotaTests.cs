using FastBucket.Providers;
using FastBucket.Quotas;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas;

public sealed class LlmQuotaTests
{
    private static readonly QuotaKey Key = new(LlmProvider.OpenAI, "gpt-4o-mini");
    private readonly FakeTimeProvider _time = new();

    private LlmQuota Create(QuotaLimits limits) => new(Key, limits, _time);

    [Fact]
    public void TryReserve_AllDimensionsHaveRoom_ChargesEach()
    {
        using var quota = Create(new QuotaLimits { RequestsPerMinute = 10, TokensPerMinute = 1_000, InputTokensPerMinute = 800, OutputTokensPerMinute = 300, RequestsPerDay = 100 });
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

    [Fact]
    public void TryReserve_OneDimensionRefuses_NoDimensionStaysCharged()
    {
        using var quota = Create(new QuotaLimits { RequestsPerMinute = 10, TokensPerMinute = 1_000, OutputTokensPerMinute = 100 });
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 90), out _, out _));
        Assert.False(quota.TryReserve(new RequestCost(1, 500, 20), out var none, out var retryAfter));
        Assert.Null(none);
        Assert.Equal(9, quota.Available(QuotaDimension.RequestsPerMinute));
        Assert.Equal(910, quota.Available(QuotaDimension.TokensPerMinute));
        Assert.Equal(10, quota.Available(QuotaDimension.OutputTokensPerMinute));
        Assert.Equal(TimeSpan.FromSeconds(6), retryAfter); // 10 more output tokens at 100 per minute
    }

    [Fact]
    public async Task TryReserve_CostOverACapacity_FailsAtOnceNamingTheDimension()
    {
        using var quota = Create(new QuotaLimits { TokensPerMinute = 1_000 });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => quota.TryReserve(new RequestCost(1, 900, 200), out _, out _));
        Assert.Equal("cost", ex.ParamName);
        Assert.Contains("TokensPerMinute", ex.Message, StringComparison.Ordinal);
        Assert.Contains("could never be sent", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await quota.ReserveAsync(new RequestCost(1, 2_000, 0)));
    }

    [Fact]
    public void Complete_UsedLess_RefundsTheDifference()
    {
        using var quota = Create(new QuotaLimits { TokensPerMinute = 1_000, InputTokensPerMinute = 1_000, OutputTokensPerMinute = 1_000 });
        Assert.True(quota.TryReserve(new RequestCost(1, 200, 500), out var reservation, out _));
        reservation.Complete(new TokenUsage(180, 40));
        Assert.Equal(780, quota.Available(QuotaDimension.TokensPerMinute));
        Assert.Equal(820, quota.Available(QuotaDimension.InputTokensPerMinute));
        Assert.Equal(960, quota.Available(QuotaDimension.OutputTokensPerMinute));
    }

    [Fact]
    public void Complete_UsedMore_ChargesDebtRepaidByRefill()
    {
        using var quota = Create(new QuotaLimits { TokensPerMinute = 600 });
        Assert.True(quota.TryReserve(new RequestCost(1, 500, 100), out var reservation, out _));
        reservation.Complete(new TokenUsage(700, 200));
        Assert.Equal(-300, quota.Available(QuotaDimension.TokensPerMinute));
        _time.Advance(TimeSpan.FromSeconds(30)); // 300 tokens of refill
        Assert.Equal(0, quota.Available(QuotaDimension.TokensPerMinute));
    }

    [Fact]
    public void Cancel_RefundsEverything_AndLaterEndsDoNothing()
    {
        using var quota = Create(new QuotaLimits { RequestsPerMinute = 5, TokensPerMinute = 1_000, MaxConcurrency = 1 });
        Assert.True(quota.TryReserve(new RequestCost(1, 300, 100), out var reservation, out _));
        reservation.Cancel();
        reservation.Complete(new TokenUsage(10_000, 10_000));
        reservation.Dispose();
        Assert.Equal(5, quota.Available(QuotaDimension.RequestsPerMinute));
        Assert.Equal(1_000, quota.Available(QuotaDimension.TokensPerMinute));
        Assert.Equal(0, quota.InFlight);
    }

    [Fact]
    public void Dispose_WithoutComplete_KeepsTheCharge()
    {
        using var quota = Create(new QuotaLimits { TokensPerMinute = 1_000, MaxConcurrency = 1 });
        Assert.True(quota.TryReserve(new RequestCost(1, 300, 100), out var reservation, out _));
        reservation.Dispose();
        Assert.Equal(600, quota.Available(QuotaDimension.TokensPerMinute));
        Assert.Equal(1, quota.Available(QuotaDimension.Concurrency));
    }

    [Fact]
    public async Task ReserveAsync_ConcurrencyFull_WaitsForASlotAndIsWokenByRelease()
    {
        using var quota = Create(new QuotaLimits { MaxConcurrency = 1 });
        var first = await quota.ReserveAsync(new RequestCost(1, 0, 0));
        var second = quota.ReserveAsync(new RequestCost(1, 0, 0));
        Assert.False(second.IsCompleted);
        first.Complete(new TokenUsage(0, 0));
        var reservation = await second.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, quota.InFlight);
        reservation.Dispose();
    }

    [Fact]
    public async Task ReserveAsync_WaitsOnTheSlowestDimension_ThenGrantsAllTogether()
    {
        using var quota = Create(new QuotaLimits { RequestsPerMinute = 60, TokensPerMinute = 600 });
        Assert.True(quota.TryReserve(new RequestCost(1, 600, 0), out _, out _));
        var pending = quota.ReserveAsync(new RequestCost(1, 100, 0)).AsTask();
        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromTicks(1));
        var reservation = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(100, reservation.Cost.InputTokens);
        Assert.Equal(0, quota.Available(QuotaDimension.TokensPerMinute));
    }

    [Fact]
    public async Task ReserveAsync_IsFifoAcrossDimensions_LargeNotStarvedBySmall()
    {
        using var quota = Create(new QuotaLimits { RequestsPerMinute = 1_000, TokensPerMinute = 1_000 });
        Assert.True(quota.TryReserve(new RequestCost(1, 1_000, 0), out _, out _));
        var large = quota.ReserveAsync(new RequestCost(1, 900, 0)).AsTask();
        var small = quota.ReserveAsync(new RequestCost(1, 10, 0)).AsTask();
        Assert.False(quota.TryReserve(new RequestCost(1, 1, 0), out _, out _)); // no barging past waiters
        _time.Advance(TimeSpan.FromSeconds(6)); // 100 tokens: enough for small, not for large
        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(49)); // 910 tokens: both, in order
        await large.WaitAsync(TimeSpan.FromSeconds(10));
        await small.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ReserveAsync_Canceled_KeepsNothing()
    {
        using var quota = Create(new QuotaLimits { TokensPerMinute = 100 });
        Assert.True(quota.TryReserve(new RequestCost(1, 100, 0), out _, out _));
        using var cts = new CancellationTokenSource();
        var pending = quota.ReserveAsync(new RequestCost(1, 50, 0), cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(100, quota.Available(QuotaDimension.TokensPerMinute));
        Assert.Equal(0, quota.QueuedCount);
    }

    [Fact]
    public async Task CloseFor_HoldsEveryRequestUntilTheWaitHasPassed()
    {
        using var quota = Create(new QuotaLimits { RequestsPerMinute = 100 });
        quota.CloseFor(TimeSpan.FromSeconds(2));
        Assert.NotNull(quota.ClosedUntil);
        Assert.False(quota.TryReserve(new RequestCost(1, 0, 0), out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(2), retryAfter);
        var pending = quota.ReserveAsync(new RequestCost(1, 0, 0)).AsTask();
        _time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromTicks(1));
        (await pending.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Fact]
    public async Task MarkExhausted_FailsWaitersAndNewReservationsUntilReset()
    {
        using var quota = Create(new QuotaLimits { RequestsPerMinute = 1 });
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
        var pending = quota.ReserveAsync(new RequestCost(1, 0, 0)).AsTask();
        var exhaustion = new QuotaExhaustedException(Key, "insufficient_quota", null);
        quota.MarkExhausted(exhaustion, TimeSpan.FromHours(1));
        Assert.Same(exhaustion, await Assert.ThrowsAsync<QuotaExhaustedException>(() => pending));
        var thrown = Assert.Throws<QuotaExhaustedException>(() => quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
        Assert.Contains("insufficient_quota", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("OpenAI/gpt-4o-mini", thrown.Message, StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
    }

    [Fact]
    public void SetLimits_LearnsNewCapacityKeepingLevel_AndDropsUnlimited()
    {
        using var quota = Create(new QuotaLimits { RequestsPerMinute = 100, TokensPerMinute = 1_000 });
        Assert.True(quota.TryReserve(new RequestCost(10, 500, 0), out _, out _));
        quota.SetLimits(new QuotaLimits { RequestsPerMinute = 50, OutputTokensPerMinute = 20 });
        Assert.Equal(50, quota.Available(QuotaDimension.RequestsPerMinute));
        Assert.Null(quota.Available(QuotaDimension.TokensPerMinute));
        Assert.Equal(20, quota.Available(QuotaDimension.OutputTokensPerMinute));
        Assert.Equal(50, quota.Limits.RequestsPerMinute);
    }

    [Fact]
    public void SetLimits_BadLimit_ThrowsNamingTheDimension()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Create(new QuotaLimits { TokensPerMinute = 0 }));
        Assert.Contains("TokensPerMinute", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(new QuotaLimits { MaxConcurrency = 0 }));
    }

    [Fact]
    public async Task Dispose_CompletesWaitersWithObjectDisposed()
    {
        var quota = Create(new QuotaLimits { RequestsPerMinute = 1 });
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
        var pending = quota.ReserveAsync(new RequestCost(1, 0, 0)).AsTask();
        await quota.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending);
    }
}
