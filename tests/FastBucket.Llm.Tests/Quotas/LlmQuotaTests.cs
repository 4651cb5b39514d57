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
    public void TryReserve_TokensPerMinuteCountsInputOnly_ChargesAndReconcilesInputOnlyWhileTokensPerDayCountBoth()
    {
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash"), new QuotaLimits { TokensPerMinute = 1_000, TokensPerDay = 10_000 }, _time);
        var cost = new RequestCost(1, 100, 800) { TokensPerMinute = TokensPerMinuteCharge.InputOnly };

        Assert.True(quota.TryReserve(cost, out var reservation, out _));
        Assert.Equal(900, quota.Available(QuotaDimension.TokensPerMinute));
        Assert.Equal(9_100, quota.Available(QuotaDimension.TokensPerDay));

        reservation.Complete(new TokenUsage(120, 500));
        Assert.Equal(880, quota.Available(QuotaDimension.TokensPerMinute));
        Assert.Equal(9_380, quota.Available(QuotaDimension.TokensPerDay));

        Assert.True(quota.TryReserve(cost, out var canceled, out _));
        canceled.Cancel();
        Assert.Equal(880, quota.Available(QuotaDimension.TokensPerMinute));
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

}
