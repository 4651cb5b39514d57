using FastBucket.Providers;
using FastBucket.Quotas;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas;

/// <summary>The adaptation rules on a fake clock: learn, lower, hold closed, fail fast, discover.</summary>
public sealed class QuotaAdaptationTests
{
    private readonly FakeTimeProvider _time = new();

    private static RateLimitSignals Ok(RateLimitDimension requests = default, RateLimitDimension tokens = default) =>
        new() { Provider = LlmProvider.OpenAI, StatusCode = 200, Requests = requests, Tokens = tokens };


    [Fact]
    public void Observe_GroqRequestsWindowIsDay_LearnsRequestsPerDay()
    {
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.Groq, "llama-3.1-8b-instant"), new QuotaLimits { RequestsPerMinute = 30 }, _time);
        quota.Observe(new RateLimitSignals { Provider = LlmProvider.Groq, StatusCode = 200, RequestsWindow = RateLimitWindow.Day, Requests = new RateLimitDimension(14_400, 14_370, TimeSpan.FromSeconds(2.59)) });
        Assert.Equal(14_400, quota.Limits.RequestsPerDay);
        Assert.Equal(30, quota.Limits.RequestsPerMinute);
        Assert.Equal(14_370, quota.Available(QuotaDimension.RequestsPerDay));
    }


    [Fact]
    public void Observe_GroqRateLimitStatesRequestsPerMinuteInText_LearnsRequestsPerMinuteApartFromDayHeaders()
    {
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.Groq, "llama-3.1-8b-instant"), new QuotaLimits { RequestsPerMinute = 100 }, _time);
        quota.Observe(new RateLimitSignals
        {
            Provider = LlmProvider.Groq, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, RetryAfter = TimeSpan.FromSeconds(2),
            RequestsWindow = RateLimitWindow.Day, Requests = new RateLimitDimension(14_400, 14_000, TimeSpan.FromMinutes(40)),
            RequestsLimitFromBody = 30, BodyLimitWindow = RateLimitWindow.Minute,
        });
        Assert.Equal(30, quota.Limits.RequestsPerMinute);
        Assert.Equal(14_400, quota.Limits.RequestsPerDay);
    }


    [Fact]
    public void Observe_RequestsPerDayStatedInText_LearnsRequestsPerDay()
    {
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.Groq, "llama-3.1-8b-instant"), new QuotaLimits { RequestsPerMinute = 30 }, _time);
        quota.Observe(new RateLimitSignals
        {
            Provider = LlmProvider.Groq, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, RetryAfter = TimeSpan.FromSeconds(2),
            RequestsLimitFromBody = 1_000, BodyLimitWindow = RateLimitWindow.Day,
        });
        Assert.Equal(1_000, quota.Limits.RequestsPerDay);
        Assert.Equal(30, quota.Limits.RequestsPerMinute);
    }


    [Fact]
    public void Observe_SameEvidenceTwice_LowersOnce()
    {
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.OpenAI, "gpt-4o"), new QuotaLimits { TokensPerMinute = 10_000 }, _time);
        Assert.True(quota.TryReserve(new RequestCost(1, 1_000, 0), out var first, out _));
        Assert.True(quota.TryReserve(new RequestCost(1, 1_000, 0), out var second, out _));
        // 3,000 used elsewhere before both: the server counts first (6,000 left), then second (5,000 left).
        quota.Observe(Ok(tokens: new RateLimitDimension(10_000, 6_000, TimeSpan.FromSeconds(24))), first);
        quota.Observe(Ok(tokens: new RateLimitDimension(10_000, 5_000, TimeSpan.FromSeconds(24))), second);
        Assert.Equal(5_000, quota.Available(QuotaDimension.TokensPerMinute));
        first.Dispose();
        second.Dispose();
    }


    [Fact]
    public void Observe_RemainingAboveOurLevel_NeverRaisesIt()
    {
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.OpenAI, "gpt-4o"), new QuotaLimits { TokensPerMinute = 10_000 }, _time);
        Assert.True(quota.TryReserve(new RequestCost(1, 4_000, 0), out var reservation, out _));
        quota.Observe(Ok(tokens: new RateLimitDimension(10_000, 9_990, TimeSpan.FromMilliseconds(60))), reservation);
        Assert.Equal(6_000, quota.Available(QuotaDimension.TokensPerMinute));
    }

    [Fact]
    public void Observe_RefillDuringTheRequest_IsCreditedBack()
    {
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.OpenAI, "gpt-4o"), new QuotaLimits { TokensPerMinute = 6_000 }, _time);
        quota.Observe(Ok(tokens: new RateLimitDimension(6_000, 1_000, TimeSpan.FromSeconds(50))), null, sinceSent: TimeSpan.FromSeconds(2));
        Assert.Equal(1_200, quota.Available(QuotaDimension.TokensPerMinute)); // 1,000 + 2 s x 100/s
    }

    [Fact]
    public async Task Observe_RateLimitedWithRetryAfter_HoldsEveryRequestUntilItPassed()
    {
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.Anthropic, "claude-sonnet-4-5"), new QuotaLimits { RequestsPerMinute = 50 }, _time);
        quota.Observe(new RateLimitSignals { Provider = LlmProvider.Anthropic, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true, RetryAfter = TimeSpan.FromSeconds(7) });
        Assert.False(quota.TryReserve(new RequestCost(1, 0, 0), out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(7), retryAfter);
        var pending = quota.ReserveAsync(new RequestCost(1, 0, 0)).AsTask();
        _time.Advance(TimeSpan.FromSeconds(7) - TimeSpan.FromTicks(1));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromTicks(1));
        (await pending.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Fact]
    public void Observe_RateLimitedWithoutWait_HoldsUntilTheExhaustedDimensionResets()
    {
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.OpenAI, "gpt-4o"), new QuotaLimits { RequestsPerMinute = 60 }, _time);
        quota.Observe(new RateLimitSignals
        {
            Provider = LlmProvider.OpenAI, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true,
            Requests = new RateLimitDimension(60, 0, TimeSpan.FromSeconds(3)),
        });
        Assert.False(quota.TryReserve(new RequestCost(1, 0, 0), out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(3), retryAfter);
        Assert.Equal(0, quota.Available(QuotaDimension.RequestsPerMinute));
    }

    [Fact]
    public void Observe_InsufficientQuota_FailsFastNamingQuotaAndReset()
    {
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.OpenAI, "gpt-4o"), new QuotaLimits { RequestsPerMinute = 60 }, _time);
        quota.Observe(new RateLimitSignals { Provider = LlmProvider.OpenAI, StatusCode = 429, ErrorClass = RateLimitErrorClass.QuotaExhausted, Retryable = false, ErrorCode = "insufficient_quota" });
        var ex = Assert.Throws<QuotaExhaustedException>(() => quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
        Assert.Equal("insufficient_quota", ex.Reason);
        Assert.Null(ex.ResetsAt);
        Assert.Contains("OpenAI/gpt-4o", ex.Message, StringComparison.Ordinal);
        quota.ResetExhaustion();
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
    }

    [Fact]
    public void Observe_GeminiPerDayQuota_FailsFastUntilTheDayResets()
    {
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash"), new QuotaLimits { RequestsPerMinute = 10 }, _time);
        quota.Observe(new RateLimitSignals
        {
            Provider = LlmProvider.Gemini, StatusCode = 429, ErrorClass = RateLimitErrorClass.QuotaExhausted, Retryable = false,
            ErrorCode = "RESOURCE_EXHAUSTED", RetryAfter = TimeSpan.FromHours(5),
            QuotaViolations = [new QuotaViolation("GenerateRequestsPerDayPerProjectPerModel-FreeTier", null, RateLimitWindow.Day, 250)],
        });
        // A per-day quota lasts until Gemini's next day, midnight Pacific (8 h after midnight UTC in winter), not the
        // shorter wait the error names (issue 14 item 4).
        var ex = Assert.Throws<QuotaExhaustedException>(() => quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(8), ex.ResetsAt);
        _time.Advance(TimeSpan.FromHours(5));
        Assert.Throws<QuotaExhaustedException>(() => quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
        _time.Advance(TimeSpan.FromHours(3));
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
    }

    [Fact]
    public async Task Discovery_StartsWithOneInFlight_ThenLearnsLimitsAndConfiguredConcurrency()
    {
        using var quota = LlmQuota.CreateDiscovering(new QuotaKey(LlmProvider.OpenAI, "gpt-4o"), maxConcurrency: 8, _time);
        Assert.True(quota.IsDiscovering);
        var first = await quota.ReserveAsync(new RequestCost(1, 100, 100));
        Assert.False(quota.TryReserve(new RequestCost(1, 100, 100), out _, out _)); // one at a time until limits are known
        quota.Observe(Ok(new RateLimitDimension(500, 499, TimeSpan.FromMilliseconds(120)), new RateLimitDimension(30_000, 29_800, TimeSpan.FromMilliseconds(400))), first);
        first.Complete(new FastBucket.Quotas.TokenUsage(90, 40));
        Assert.Equal(500, quota.Limits.RequestsPerMinute);
        Assert.Equal(8, quota.Limits.MaxConcurrency);
        for (int i = 0; i < 8; i++)
        {
            Assert.True(quota.TryReserve(new RequestCost(1, 10, 10), out _, out _));
        }
    }

    [Fact]
    public void Discovery_Gemini_SlowStartThenAdditiveIncreaseMultiplicativeDecrease()
    {
        using var quota = LlmQuota.CreateDiscovering(new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash"), null, _time, initialRequestsPerMinute: 20);
        Assert.Equal(20, quota.Limits.RequestsPerMinute);
        var ok = new RateLimitSignals { Provider = LlmProvider.Gemini, StatusCode = 200 };
        for (int i = 0; i < 20; i++)
        {
            quota.Observe(ok);
        }

        // Slow start, +4 per success until the first congestion event; the bucket is re-limited once the rate has
        // grown by a tenth, so it trails by less than that.
        Assert.InRange(quota.Limits.RequestsPerMinute!.Value, 91, 100);
        quota.Observe(new RateLimitSignals { Provider = LlmProvider.Gemini, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true, RetryAfter = TimeSpan.FromSeconds(30) });
        Assert.Equal(50, quota.Limits.RequestsPerMinute);
        Assert.NotNull(quota.ClosedUntil);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        for (int i = 0; i < 10; i++)
        {
            quota.Observe(ok);
        }

        Assert.InRange(quota.Limits.RequestsPerMinute!.Value, 55, 60); // +1 per success after the event
    }
}
