using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Quotas.Congestion;
using FastBucket.Quotas.Windows;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas.Windows;

/// <summary>Issue 14's quota rules read as the providers count: each test failed before its fix.</summary>
public sealed class ProviderFidelityTests
{
    // Midnight Pacific (PDT) on 15 June 2026.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 15, 7, 0, 0, TimeSpan.Zero));

    private QuotaRegistry Registry(QuotaLimits? limits = null) => new(new QuotaRegistryOptions { TimeProvider = _time, Limits = limits, BurstHeadroom = 0 });

    private static int ReserveAll(ILlmQuota quota, RequestCost cost)
    {
        int granted = 0;
        while (quota.TryReserve(cost, out var reservation, out _))
        {
            reservation.Complete(new TokenUsage(cost.InputTokens, cost.OutputTokens));
            granted++;
        }

        return granted;
    }

    [Fact]
    public void Registry_GeminiRpd100_AdmitsExactly100InOnePacificDay()
    {
        // Item 3: a bucket refilled at RPD / 86,400 per second let 199 through in one Pacific day.
        using var registry = Registry(new QuotaLimits { RequestsPerDay = 100 });
        var quota = registry.GetOrCreate(new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash"));
        int admitted = 0;
        for (int minute = 0; minute < 24 * 60; minute++)
        {
            admitted += ReserveAll(quota, new RequestCost(1, 10, 10));
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(100, admitted);
        Assert.Equal(100, ReserveAll(quota, new RequestCost(1, 10, 10))); // the next Pacific day
    }

    [Fact]
    public void Observe_GeminiPerDay429WithShortRetryInfo_ExhaustedUntilMidnightPacific()
    {
        // Item 4: the 40 s RetryInfo lifted a per-day exhaustion, and the quota walked back into the 429 all day.
        using var registry = Registry(new QuotaLimits { RequestsPerMinute = 10, RequestsPerDay = 250 });
        var quota = (LlmQuota)registry.GetOrCreate(new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash"));
        _time.Advance(TimeSpan.FromHours(15));
        quota.Observe(GeminiPerDay(retryAfter: TimeSpan.FromSeconds(40)));
        var error = Assert.Throws<QuotaExhaustedException>(() => quota.TryReserve(new RequestCost(1, 1, 1), out _, out _));
        Assert.Equal(new DateTimeOffset(2026, 6, 16, 7, 0, 0, TimeSpan.Zero), error.ResetsAt);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Throws<QuotaExhaustedException>(() => quota.TryReserve(new RequestCost(1, 1, 1), out _, out _));
        _time.Advance(TimeSpan.FromHours(9) - TimeSpan.FromMinutes(1));
        Assert.True(quota.TryReserve(new RequestCost(1, 1, 1), out _, out _));
    }

    [Fact]
    public void Observe_GeminiPerDay429WithoutRetryInfo_ResetsAtMidnightPacificNot24HoursLater()
    {
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash"), new QuotaLimits { RequestsPerMinute = 10 }, _time);
        _time.Advance(TimeSpan.FromHours(20));
        quota.Observe(GeminiPerDay(retryAfter: null));
        var error = Assert.Throws<QuotaExhaustedException>(() => quota.TryReserve(new RequestCost(1, 1, 1), out _, out _));
        Assert.Equal(TimeSpan.FromHours(4), error.ResetsAt - _time.GetUtcNow());
    }

    [Fact]
    public void Observe_GeminiLimitZero_FailsFastNotAFortySecondWait()
    {
        // Item 4: "limit: 0" means the model is not in this tier; waiting 40 s does not help.
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash-preview-image"), new QuotaLimits { RequestsPerMinute = 10 }, _time);
        quota.Observe(new RateLimitSignals
        {
            Provider = LlmProvider.Gemini, StatusCode = 429, ErrorClass = RateLimitErrorClass.QuotaExhausted, Retryable = false,
            ErrorCode = "RESOURCE_EXHAUSTED", RetryAfter = TimeSpan.FromSeconds(40), QuotaLimit = 0,
            QuotaViolations = [new QuotaViolation("GenerateContentInputTokensPerModelPerMinute-FreeTier", null, RateLimitWindow.Minute, 0)],
        });
        _time.Advance(TimeSpan.FromMinutes(5));
        var error = Assert.Throws<QuotaExhaustedException>(() => quota.TryReserve(new RequestCost(1, 1, 1), out _, out _));
        Assert.Null(error.ResetsAt);
        Assert.Contains("limit 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_Fresh600RpmOpenAI_SendsOneSecondsShareNot594AtOnce()
    {
        // Item 5: under quantized enforcement (OpenAI's shorter periods, Azure's 1-10 s windows) 594 at once is a 429 storm.
        using var registry = Registry(new QuotaLimits { RequestsPerMinute = 600 });
        var quota = registry.GetOrCreate(new QuotaKey(LlmProvider.OpenAI, "gpt-4o-mini"));
        Assert.Equal(10, ReserveAll(quota, new RequestCost(1, 0, 0)));
        long admitted = 10;
        var start = _time.GetUtcNow();
        while (_time.GetUtcNow() - start < TimeSpan.FromMinutes(2))
        {
            Assert.False(quota.TryReserve(new RequestCost(1, 0, 0), out _, out var retryAfter));
            _time.Advance(retryAfter);
            admitted += ReserveAll(quota, new RequestCost(1, 0, 0));
        }

        // The burst is capped, not the throughput: 600 a minute less the expiry margins.
        Assert.InRange(admitted, 1_150, 1_210);
    }

    [Fact]
    public void Registry_GeminiFreeTenRpm_TwentyConcurrent_NeverMoreThanTenInAnyMinute()
    {
        // Item 15: a bucket of capacity 10 admitted 20 in the first 60 s; the course challenge got 429s that way.
        using var registry = Registry(new QuotaLimits { RequestsPerMinute = 10 });
        var quota = registry.GetOrCreate(new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash"));
        var sent = new List<DateTimeOffset>();
        while (sent.Count < 20)
        {
            while (sent.Count < 20 && quota.TryReserve(new RequestCost(1, 10, 10), out var r, out _))
            {
                r.Complete(new TokenUsage(10, 10));
                sent.Add(_time.GetUtcNow());
            }

            _time.Advance(TimeSpan.FromMilliseconds(50));
        }

        foreach (var t in sent)
        {
            Assert.InRange(sent.Count(s => s >= t && s < t + TimeSpan.FromMinutes(1)), 1, 10);
        }
    }

    [Fact]
    public void Registry_AnthropicDocumentsAContinuousBucket_KeepsItWhole()
    {
        using var registry = Registry(new QuotaLimits { RequestsPerMinute = 50 });
        var quota = registry.GetOrCreate(new QuotaKey(LlmProvider.Anthropic, "claude-haiku-4-5"));
        Assert.Equal(50, ReserveAll(quota, new RequestCost(1, 0, 0)));
    }

    [Fact]
    public void Registry_ClaudeSonnetFourXModels_ShareTheCombinedLimit()
    {
        // Item 7: keyed by model name, two Sonnet 4.x models were granted 50,000 ITPM against a combined 30,000.
        using var registry = new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = _time, BurstHeadroom = 0 });
        var a = registry.GetOrCreate(new QuotaKey(LlmProvider.Anthropic, "claude-sonnet-4-5"));
        var b = registry.GetOrCreate(new QuotaKey(LlmProvider.Anthropic, "claude-sonnet-4-20250514"));
        Assert.Same(a, b);
        Assert.Equal(30_000, a.Available(QuotaDimension.InputTokensPerMinute));
        Assert.True(a.TryReserve(new RequestCost(1, 25_000, 100), out _, out _));
        Assert.False(b.TryReserve(new RequestCost(1, 25_000, 100), out _, out _));
        Assert.Single(registry.Quotas);
    }

    [Fact]
    public void Registry_OpenRouterFreeModels_ShareTheAccountsDailyRequests()
    {
        using var registry = new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = _time });
        var a = registry.GetOrCreate(new QuotaKey(LlmProvider.OpenRouter, "meta-llama/llama-3.3-70b-instruct:free"));
        var b = registry.GetOrCreate(new QuotaKey(LlmProvider.OpenRouter, "qwen/qwen3-coder:free"));
        Assert.Same(a, b);
        Assert.Equal(50, a.Available(QuotaDimension.RequestsPerDay));
    }

    [Fact]
    public void Observe_RemainingBelowTheWindowsRoomOnTheSafeShape_LowersTheWindowNotOnlyTheBurst()
    {
        // Another process on the key used 29,900 of 40,000 tokens. The evidence compared the provider's remaining with
        // what the burst rule admitted (667 a second), not with the minute's room, and lowered nothing.
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.OpenAI, "gpt-4o-mini"), new QuotaLimits { TokensPerMinute = 40_000 }, _time, windowing: FastBucket.Quotas.Windows.QuotaWindowing.For(LlmProvider.OpenAI));
        Assert.True(quota.TryReserve(new RequestCost(1, 100, 0), out var reservation, out _));
        quota.Observe(new RateLimitSignals { Provider = LlmProvider.OpenAI, StatusCode = 200, Tokens = new RateLimitDimension(40_000, 10_000, TimeSpan.FromSeconds(45)) }, reservation);
        reservation.Complete(new TokenUsage(100, 0));

        Assert.InRange(quota.Window(QuotaDimension.TokensPerMinute)!.Room, 9_990, 10_000);
    }

    [Theory]
    [InlineData(LlmProvider.OpenAI, 300, 280)]      // the larger of input (300, then counted 280) and max_tokens (200), kept
    [InlineData(LlmProvider.AzureOpenAI, 500, 480)] // input plus max_tokens (200), kept, the input as counted
    [InlineData(LlmProvider.Groq, 500, 320)]        // undocumented: input plus output, settled to the usage
    [InlineData(LlmProvider.Gemini, 300, 280)]      // input only, settled to the reported input
    public void Complete_EachProvidersDocumentedTokenCharge_CountsWhatTheProviderCounts(LlmProvider provider, long atAdmission, long afterCompletion)
    {
        // The estimator charges each provider's documented rule: OpenAI counted 500 and gave back 180 where it keeps 280.
        var body = System.Text.Encoding.UTF8.GetBytes("""{"model":"m","max_tokens":200,"messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(FastBucket.Estimation.TokenEstimator.TokensPerMinuteChargeOf(provider), new FastBucket.Estimation.TokenEstimator().Estimate(provider, "m", body).Cost.TokensPerMinute);
        var cost = new RequestCost(1, 300, 200) { TokensPerMinute = FastBucket.Estimation.TokenEstimator.TokensPerMinuteChargeOf(provider) };
        using var quota = new LlmQuota(new QuotaKey(provider, "m"), new QuotaLimits { TokensPerMinute = 10_000 }, _time);
        Assert.True(quota.TryReserve(cost, out var reservation, out _));
        Assert.Equal(10_000 - atAdmission, quota.Available(QuotaDimension.TokensPerMinute));

        reservation.Complete(new TokenUsage(280, 40));
        Assert.Equal(10_000 - afterCompletion, quota.Available(QuotaDimension.TokensPerMinute));
    }

    [Fact]
    public void CompleteRejected_KeptTokenCharge_KeepsTheRequestGivesBackTheTokens()
    {
        // A rejected request ran nothing: even where a provider keeps a request's token charge, a 429 does not.
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.OpenAI, "m"), new QuotaLimits { RequestsPerMinute = 10, TokensPerMinute = 10_000 }, _time);
        Assert.True(quota.TryReserve(new RequestCost(1, 300, 200) { TokensPerMinute = TokensPerMinuteCharge.LargerOfInputAndOutputKept }, out var reservation, out _));
        reservation.CompleteRejected();
        Assert.Equal(9, quota.Available(QuotaDimension.RequestsPerMinute));
        Assert.Equal(10_000, quota.Available(QuotaDimension.TokensPerMinute));
    }

    [Fact]
    public void Estimate_TokensPerMinuteChargeSet_OverridesTheProvidersRule()
    {
        var body = System.Text.Encoding.UTF8.GetBytes("""{"model":"m","max_tokens":200,"messages":[{"role":"user","content":"hi"}]}""");
        var estimator = new FastBucket.Estimation.TokenEstimator(new FastBucket.Estimation.TokenEstimatorOptions { TokensPerMinuteCharge = TokensPerMinuteCharge.InputAndOutputSettled }, null);
        Assert.Equal(TokensPerMinuteCharge.InputAndOutputSettled, estimator.Estimate(LlmProvider.OpenAI, "m", body).Cost.TokensPerMinute);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new FastBucket.Estimation.TokenEstimatorOptions { TokensPerMinuteCharge = (TokensPerMinuteCharge)9 });
        Assert.Equal("value", error.ParamName);
    }

    [Fact]
    public void Observe_NonRetryable429WithoutReset_FailsThatRequestNotTheQuota()
    {
        // Item 8: one "request too large" 429 made every later request fail fast until restart.
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.Anthropic, "claude-sonnet-4-5"), new QuotaLimits { RequestsPerMinute = 50 }, _time);
        quota.Observe(new RateLimitSignals
        {
            Provider = LlmProvider.Anthropic, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = false,
            ShouldRetryHeader = false, ErrorType = "request_too_large",
        });
        Assert.True(quota.TryReserve(new RequestCost(1, 10, 10), out _, out _));
    }

    [Fact]
    public void Observe_AnthropicTokensHeaders_NotLearnedAsTokensPerMinute()
    {
        // Item 11: the tokens-* family is the tighter of ITPM and OTPM; learned as TPM it refused requests fitting both.
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.Anthropic, "claude-sonnet-4-5"), new QuotaLimits { InputTokensPerMinute = 30_000, OutputTokensPerMinute = 8_000 }, _time);
        quota.Observe(new RateLimitSignals
        {
            Provider = LlmProvider.Anthropic, StatusCode = 200,
            InputTokens = new RateLimitDimension(30_000, 30_000, TimeSpan.Zero),
            OutputTokens = new RateLimitDimension(8_000, 8_000, TimeSpan.Zero),
            Tokens = new RateLimitDimension(8_000, 8_000, TimeSpan.Zero),
        });
        Assert.Null(quota.Limits.TokensPerMinute);
        Assert.True(quota.TryReserve(new RequestCost(1, 20_000, 4_000), out _, out _));
    }

    [Fact]
    public void Discovery_FiveConcurrent429s_HalveOnce()
    {
        // Item 12: five concurrent 429s took 16 RPM to 1.
        using var quota = LlmQuota.CreateDiscovering(new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash"), null, _time, initialRequestsPerMinute: 16);
        var limited = new RateLimitSignals { Provider = LlmProvider.Gemini, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true, RetryAfter = TimeSpan.FromSeconds(1) };
        _time.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 5; i++)
        {
            // All five were sent before the first 429 came back.
            quota.Observe(limited, null, TimeSpan.FromMilliseconds(500 + (10 * i)));
        }

        Assert.Equal(8, quota.Limits.RequestsPerMinute);
        _time.Advance(TimeSpan.FromSeconds(2));
        quota.Observe(limited, null, TimeSpan.FromMilliseconds(100)); // sent after: a new event
        Assert.Equal(4, quota.Limits.RequestsPerMinute);
    }

    [Fact]
    public void Observe_Gemini429StatesTheQuotaValue_LearnsThatLimitInsteadOfHalving()
    {
        // Gemini sends no headers, but its 429 names the exceeded quota and its value: the server's truth, where
        // additive increase had overshot it (and halving took the course cell to two thirds of its limit).
        using var quota = LlmQuota.CreateDiscovering(new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash"), null, _time, initialRequestsPerMinute: 16);
        _time.Advance(TimeSpan.FromSeconds(1));
        quota.Observe(new RateLimitSignals
        {
            Provider = LlmProvider.Gemini, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true,
            ErrorCode = "RESOURCE_EXHAUSTED", RetryAfter = TimeSpan.FromSeconds(40),
            QuotaViolations =
            [
                new QuotaViolation("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "generativelanguage.googleapis.com/generate_content_free_tier_requests", RateLimitWindow.Minute, 10),
                new QuotaViolation("GenerateContentInputTokensPerModelPerMinute-FreeTier", "generativelanguage.googleapis.com/generate_content_free_tier_input_token_count", RateLimitWindow.Minute, 250_000),
            ],
        }, null, TimeSpan.FromMilliseconds(500));

        Assert.Equal(10, quota.Limits.RequestsPerMinute); // not 8, half of 16
        Assert.Equal(250_000, quota.Limits.TokensPerMinute);
        Assert.Equal(RequestPace.Whole, quota.RequestPaceShare); // explained by the limit it taught: no pace halving
    }

    [Fact]
    public void Observe_Gemini429StatesATokensLimitAfterTheStatedWait_WhatWasSentStillCountsUntilItsMinuteEnds()
    {
        // Gemini's limit arrives in a 429 when its minute is already full of what we sent. That use frees as the
        // provider's window frees it, a minute after each send, not all at once when the 429's short wait ends.
        using var quota = LlmQuota.CreateDiscovering(new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash"), null, _time, initialRequestsPerMinute: 60, windowing: QuotaWindowing.For(LlmProvider.Gemini));
        for (int i = 0; i < 5; i++)
        {
            Assert.True(quota.TryReserve(new RequestCost(1, 2_000, 100) { TokensPerMinute = TokensPerMinuteCharge.InputOnly }, out var sent, out _));
            sent.Complete(new TokenUsage(2_000, 100));
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Null(quota.Available(QuotaDimension.TokensPerMinute)); // counted, not limited, until a limit is stated
        quota.Observe(new RateLimitSignals
        {
            Provider = LlmProvider.Gemini, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true,
            ErrorCode = "RESOURCE_EXHAUSTED", RetryAfter = TimeSpan.FromSeconds(2),
            QuotaViolations = [new QuotaViolation("GenerateContentInputTokensPerModelPerMinute-FreeTier", null, RateLimitWindow.Minute, 10_000)],
        }, null, TimeSpan.FromMilliseconds(500));
        _time.Advance(TimeSpan.FromSeconds(3)); // the stated wait is over

        var cost = new RequestCost(1, 4_000, 100) { TokensPerMinute = TokensPerMinuteCharge.InputOnly };
        Assert.False(quota.TryReserve(cost, out _, out var wait)); // the last minute's 10,000 all still count
        Assert.InRange(wait, TimeSpan.FromSeconds(17), TimeSpan.FromSeconds(18)); // until the sends of 53 and 43 s ago leave it
    }

    [Fact]
    public void Observe_AnsweredCharges_CountInTheWindowFromTheirAnswerColdOrWarm()
    {
        // The provider counts a request when it arrives, which a first request's handshake and JIT, or a loaded machine
        // that descheduled the send, can put past our expiry margin: Gemini's sliding minute then still held it when ours
        // let the eleventh of 10 RPM go (the course cell's one 429). It arrived no later than its answer, though.
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash"), new QuotaLimits { RequestsPerMinute = 12 }, _time, windowing: QuotaWindowing.For(LlmProvider.Gemini));
        var cost = new RequestCost(1, 10, 10);
        Assert.True(quota.TryReserve(cost, out var first, out _));
        Assert.True(quota.TryReserve(cost, out var second, out _));
        _time.Advance(TimeSpan.FromSeconds(0.9));
        quota.Observe(Success(), first, TimeSpan.FromSeconds(0.9)); // the first answer
        _time.Advance(TimeSpan.FromSeconds(0.1));
        quota.Observe(Success(), second, TimeSpan.FromSeconds(1)); // granted before it: cold
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.True(quota.TryReserve(cost, out var unanswered, out _)); // taken first: charges leave the log in order
        Assert.True(quota.TryReserve(cost, out var warm, out _));
        _time.Advance(TimeSpan.FromSeconds(1));
        quota.Observe(Success(), warm, TimeSpan.FromSeconds(1)); // granted after the first answer: warm
        var window = quota.Window(QuotaDimension.RequestsPerMinute)!;

        _time.Advance(TimeSpan.FromSeconds(29.25)); // 60.25 s after the cold grants
        Assert.Equal(12 - 4, window.Room);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(12 - 2, window.Room); // the cold ones leave a minute (and the margin) after their answers
        _time.Advance(TimeSpan.FromSeconds(29)); // 60.25 s after the warm grants
        Assert.Equal(12 - 1, window.Room); // the one without an answer yet leaves from its grant
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(12, window.Room); // the warm one a minute after its answer, like the cold ones
        unanswered.Dispose();

        static RateLimitSignals Success() => new() { Provider = LlmProvider.Gemini, StatusCode = 200 };
    }

    [Fact]
    public void Observe_AzureRemainingRequestsOfItsTenSecondPeriod_NotReadAsTheMinutesRemaining()
    {
        // 12 requests in a 10 s period of a 360 RPM deployment leave 48 of that period's 60: not 48 of the minute's 360.
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.AzureOpenAI, "gpt-4o"), new QuotaLimits { RequestsPerMinute = 360, TokensPerMinute = 60_000 }, _time, windowing: QuotaWindowing.For(LlmProvider.AzureOpenAI));
        var cost = new RequestCost(1, 100, 100);
        var sent = new List<QuotaReservation>();
        for (int second = 0; second < 2; second++)
        {
            while (quota.TryReserve(cost, out var reservation, out _))
            {
                sent.Add(reservation);
            }

            _time.Advance(TimeSpan.FromSeconds(1.1));
        }

        Assert.Equal(12, sent.Count); // 6 per second
        foreach (var reservation in sent)
        {
            quota.Observe(new RateLimitSignals
            {
                Provider = LlmProvider.AzureOpenAI, StatusCode = 200,
                Requests = new RateLimitDimension(null, 48, null),
                Tokens = new RateLimitDimension(null, 60_000 - (12 * 200), null),
            }, reservation, TimeSpan.FromMilliseconds(500));
            reservation.Complete(new TokenUsage(100, 100));
        }

        Assert.Equal(360 - 12, quota.Window(QuotaDimension.RequestsPerMinute)!.Room);
    }

    [Fact]
    public void Observe_AzureFixedMinutesEdgeMidBurst_UsesTheNewMinuteAtOnceNotAMinuteAfterOurFirstSend()
    {
        // Azure's tokens: "a running token count ... reset each minute", from an edge we are not told. Its minute ended
        // 5 s into a burst paced at 6 requests a second; the answers after it reported the new minute's remaining.
        // The log held every charge for a minute from its take: 60 requests, then nothing until 60 s after the first,
        // so a run took a window more or less by where in the provider's minute it started.
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.AzureOpenAI, "gpt-4o"), new QuotaLimits { RequestsPerMinute = 360, TokensPerMinute = 6_000 }, _time, windowing: QuotaWindowing.For(LlmProvider.AzureOpenAI));
        var start = _time.GetUtcNow();
        var edge = start + TimeSpan.FromSeconds(5);
        long usedBeforeEdge = 0, usedAfterEdge = 0;
        var answers = new Queue<(QuotaReservation Reservation, DateTimeOffset At, long Remaining)>();
        int granted = 0;
        while (_time.GetUtcNow() - start < TimeSpan.FromSeconds(20))
        {
            while (quota.TryReserve(new RequestCost(1, 100, 0), out var reservation, out _))
            {
                // The provider counts it as it arrives (now) and answers 300 ms later with its minute's remaining.
                ref long used = ref _time.GetUtcNow() < edge ? ref usedBeforeEdge : ref usedAfterEdge;
                used += 100;
                Assert.InRange(used, 0, 6_000);
                answers.Enqueue((reservation, _time.GetUtcNow() + TimeSpan.FromMilliseconds(300), 6_000 - used));
                granted++;
            }

            _time.Advance(TimeSpan.FromMilliseconds(50));
            while (answers.TryPeek(out var answer) && answer.At <= _time.GetUtcNow())
            {
                answers.Dequeue();
                quota.Observe(new RateLimitSignals
                {
                    Provider = LlmProvider.AzureOpenAI, StatusCode = 200, Tokens = new RateLimitDimension(null, answer.Remaining, null),
                }, answer.Reservation, TimeSpan.FromMilliseconds(300));
                answer.Reservation.Complete(new TokenUsage(100, 0));
            }
        }

        // 30 requests before the edge and the new minute's 60 after it; the provider never counted more than its 6,000.
        Assert.InRange(granted, 85, 90);
        Assert.Equal(6_000, usedAfterEdge);
    }

    [Fact]
    public void Discovery_ProviderReportingOnlyRemainingCounts_LearnsTheirBoundAndLeavesOneAtATime()
    {
        // Item 1: Azure standard deployments report remaining counts and no limits; discovery stayed at one request
        // in flight for good. What remains plus what the request took is a lower bound of the limit.
        using var quota = LlmQuota.CreateDiscovering(new QuotaKey(LlmProvider.AzureOpenAI, "gpt-4o"), maxConcurrency: 8, _time, windowing: QuotaWindowing.For(LlmProvider.AzureOpenAI));
        var cost = new RequestCost(1, 300, 200);
        Assert.True(quota.TryReserve(cost, out var first, out _));
        Assert.False(quota.TryReserve(cost, out _, out _)); // one at a time while nothing is known

        quota.Observe(AzureRemaining(requests: 59, tokens: 59_500), first, TimeSpan.FromMilliseconds(500));
        first.Complete(new TokenUsage(300, 150));

        Assert.Equal(60_000, quota.Limits.TokensPerMinute);
        Assert.Equal(360, quota.Limits.RequestsPerMinute); // Azure's documented 6 RPM per 1,000 TPM
        Assert.Equal(8, quota.Limits.MaxConcurrency);
        Assert.True(quota.TryReserve(cost, out _, out _));
        Assert.True(quota.TryReserve(cost, out _, out _));
    }

    [Fact]
    public void Discovery_RemainingCountsOnADrainedAccount_TheBoundRisesAsTheProviderRefills()
    {
        using var quota = LlmQuota.CreateDiscovering(new QuotaKey(LlmProvider.AzureOpenAI, "gpt-4o"), maxConcurrency: 8, _time, windowing: QuotaWindowing.For(LlmProvider.AzureOpenAI));
        var cost = new RequestCost(1, 300, 200);
        Assert.True(quota.TryReserve(cost, out var first, out _));
        quota.Observe(AzureRemaining(requests: 1, tokens: 1_000), first, TimeSpan.FromMilliseconds(500));
        first.Complete(new TokenUsage(300, 150));
        Assert.Equal(1_500, quota.Limits.TokensPerMinute); // another process used the rest of this minute

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(quota.TryReserve(cost, out var later, out _));
        quota.Observe(AzureRemaining(requests: 59, tokens: 59_500), later, TimeSpan.FromMilliseconds(500));

        Assert.Equal(60_000, quota.Limits.TokensPerMinute);
        Assert.Equal(360, quota.Limits.RequestsPerMinute);
    }

    private static RateLimitSignals AzureRemaining(long requests, long tokens) => new()
    {
        Provider = LlmProvider.AzureOpenAI, StatusCode = 200,
        Requests = new RateLimitDimension(null, requests, null),
        Tokens = new RateLimitDimension(null, tokens, null),
    };

    [Fact]
    public void TrackingLimit_AboveEveryPublishedPerMinuteLimit()
    {
        long largest = FastBucket.Catalog.LimitsCatalog.Default.Entries
            .SelectMany(e => QuotaDimensions.Rate.Where(r => r.Window == TimeSpan.FromMinutes(1)).Select(r => r.LimitOf(e.Limits) ?? 0))
            .Max();
        Assert.True(largest * 5 < LlmQuota.TrackingLimit, $"largest per-minute limit {largest:N0}");
    }

    [Fact]
    public void Observe_Gemini429StatesOnlyTheTokensLimit_RequestsAreStillDiscovered()
    {
        // The quota that ran out was the tokens': that limit is now known; the request rate is still searched for, and
        // neither this 429 nor the others of requests already sent halve it.
        using var quota = LlmQuota.CreateDiscovering(new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash"), null, _time, initialRequestsPerMinute: 16);
        var tokensOut = new RateLimitSignals
        {
            Provider = LlmProvider.Gemini, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true,
            ErrorCode = "RESOURCE_EXHAUSTED", RetryAfter = TimeSpan.FromSeconds(5),
            QuotaViolations = [new QuotaViolation("GenerateContentInputTokensPerModelPerMinute-FreeTier", null, RateLimitWindow.Minute, 250_000)],
        };
        _time.Advance(TimeSpan.FromSeconds(1));
        quota.Observe(tokensOut, null, TimeSpan.FromMilliseconds(500));
        quota.Observe(tokensOut, null, TimeSpan.FromMilliseconds(400));
        Assert.Equal(250_000, quota.Limits.TokensPerMinute);
        Assert.Equal(16, quota.Limits.RequestsPerMinute);
        Assert.True(quota.Available(QuotaDimension.TokensPerMinute) <= 0); // the provider's minute is spent, not our new empty one

        _time.Advance(TimeSpan.FromSeconds(10));
        var ok = new RateLimitSignals { Provider = LlmProvider.Gemini, StatusCode = 200 };
        for (int i = 0; i < 4; i++)
        {
            quota.Observe(ok, null, TimeSpan.FromMilliseconds(100));
        }

        Assert.True(quota.Limits.RequestsPerMinute > 16, "additive increase goes on for the requests");
        Assert.Equal(250_000, quota.Limits.TokensPerMinute);
    }

    [Fact]
    public void Observe_429WithCapacityLeftInHeaders_ShrinksTheBurstNotTheRate()
    {
        using var registry = Registry(new QuotaLimits { RequestsPerMinute = 600 });
        var quota = (LlmQuota)registry.GetOrCreate(new QuotaKey(LlmProvider.Groq, "llama-3.3-70b-versatile"));
        Assert.Equal(100, ReserveAll(quota, new RequestCost(1, 0, 0))); // a sixth of the minute in 10 s
        quota.Observe(new RateLimitSignals
        {
            Provider = LlmProvider.Groq, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true,
            RetryAfter = TimeSpan.FromSeconds(1), Tokens = new RateLimitDimension(6_000, 5_000, TimeSpan.FromSeconds(10)),
        }, null, TimeSpan.FromMilliseconds(200));
        _time.Advance(TimeSpan.FromSeconds(60.25));
        Assert.Equal(600, quota.Limits.RequestsPerMinute);
        Assert.Equal(50, ReserveAll(quota, new RequestCost(1, 0, 0))); // a twelfth in 5 s
    }

    [Fact]
    public void Observe_429BodySaysTokensRanOut_LowersEveryWaitingRequestAtOnce()
    {
        // Item 14: "Used 59805, Requested 742" is evidence for every waiting request, not for each after it failed.
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.OpenAI, "gpt-4o-mini"), new QuotaLimits { RequestsPerMinute = 300, TokensPerMinute = 60_000 }, _time);
        quota.Observe(new RateLimitSignals
        {
            Provider = LlmProvider.OpenAI, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true,
            ErrorType = "tokens", TokensLimitFromBody = 60_000, BodyRetryHint = TimeSpan.FromMilliseconds(792),
        });
        _time.Advance(TimeSpan.FromMilliseconds(792));
        Assert.True(quota.Available(QuotaDimension.TokensPerMinute) < 1_000);
    }

    [Fact]
    public void Observe_429WithShortWaitOnTheSafeShape_NoStallBeyondTheServersWait()
    {
        // Item 16: the quota sent nothing for ~150 s while the 429s said "try again in 792ms" and headers reported room.
        AssertReservableOnceTheStatedWaitPassed(new RateLimitSignals
        {
            Provider = LlmProvider.OpenAI, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true,
            ErrorType = "tokens", TokensLimitFromBody = 60_000, BodyRetryHint = TimeSpan.FromMilliseconds(792),
            Requests = new RateLimitDimension(300, 80, TimeSpan.FromSeconds(44)),
            Tokens = new RateLimitDimension(60_000, 0, TimeSpan.FromMilliseconds(792)),
        });
    }

    [Fact]
    public void Observe_429NamingRequestsWithTheMinuteWholeMuchLater_FreesAtTheStatedWait()
    {
        // OpenAI's reset header says when the minute is whole again, not when there is room: one 429 of the one-second
        // quantum, lowered to zero until that reset, stalled `fastbucket run` for 25 s.
        AssertReservableOnceTheStatedWaitPassed(new RateLimitSignals
        {
            Provider = LlmProvider.OpenAI, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true,
            ErrorType = "requests", RequestsLimitFromBody = 300, BodyRetryHint = TimeSpan.FromMilliseconds(795),
            Requests = new RateLimitDimension(300, 0, TimeSpan.FromSeconds(44)),
        });
    }

    /// <summary>
    /// On an OpenAI quota of 300 RPM and 60,000 TPM, after <paramref name="rejection"/>: no request now, one as soon as
    /// the wait the rejection states has passed (at most 1.1 s), whatever the reset headers say.
    /// </summary>
    private void AssertReservableOnceTheStatedWaitPassed(RateLimitSignals rejection)
    {
        using var registry = Registry(new QuotaLimits { RequestsPerMinute = 300, TokensPerMinute = 60_000 });
        var quota = (LlmQuota)registry.GetOrCreate(new QuotaKey(LlmProvider.OpenAI, "gpt-4o-mini"));
        quota.Observe(rejection);
        Assert.False(quota.TryReserve(new RequestCost(1, 100, 100), out _, out var retryAfter));
        Assert.InRange(retryAfter, rejection.BodyRetryHint!.Value, TimeSpan.FromSeconds(1.1));
        _time.Advance(retryAfter);
        Assert.True(quota.TryReserve(new RequestCost(1, 100, 100), out _, out _));
    }

    [Fact]
    public void Observe_Concurrent429sOnAKnownRequestLimit_HalveTheRequestRateOnce()
    {
        // Item 14: two processes on one key, each given the whole limit, each paced at the whole rate; OpenAI charges
        // the refused requests, so retrying at that rate kept the account drained (633 429s between two runs).
        using var registry = Registry(new QuotaLimits { RequestsPerMinute = 600 });
        var quota = (LlmQuota)registry.GetOrCreate(new QuotaKey(LlmProvider.OpenAI, "gpt-4o-mini"));
        var limited = new RateLimitSignals
        {
            Provider = LlmProvider.OpenAI, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true,
            ErrorType = "requests", BodyRetryHint = TimeSpan.FromMilliseconds(200),
        };
        _time.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 5; i++)
        {
            quota.Observe(limited, null, TimeSpan.FromMilliseconds(500 + (10 * i))); // all sent before the first 429 came back
        }

        Assert.Equal(RequestPace.Whole / 2, quota.RequestPaceShare);
        Assert.Equal(600, quota.Limits.RequestsPerMinute); // the minute keeps the whole limit; only the pace halved
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.InRange(GrantedOver(quota, TimeSpan.FromSeconds(10)), 50, 51); // 5 a second, not the window's 10

        quota.Observe(limited, null, TimeSpan.FromMilliseconds(100)); // sent after the event began: a new one
        Assert.Equal(RequestPace.Whole / 4, quota.RequestPaceShare);
    }

    [Fact]
    public void Observe_429sWithCapacityLeftOnceTheBurstIsSmallest_HalveTheRequestRate()
    {
        // Room reported left means a shorter enforcement period while our burst can still shrink (OpenAI's one second
        // to 500 ms to 250 ms); after that the rate itself is refused: another sender on the key.
        using var registry = Registry(new QuotaLimits { RequestsPerMinute = 600 });
        var quota = (LlmQuota)registry.GetOrCreate(new QuotaKey(LlmProvider.OpenAI, "gpt-4o-mini"));
        var roomLeft = new RateLimitSignals
        {
            Provider = LlmProvider.OpenAI, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true,
            BodyRetryHint = TimeSpan.FromMilliseconds(100), Requests = new RateLimitDimension(600, 400, TimeSpan.FromSeconds(20)),
        };
        for (int i = 0; i < 2; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            quota.Observe(roomLeft, null, TimeSpan.FromMilliseconds(10));
            Assert.Equal(RequestPace.Whole, quota.RequestPaceShare);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        quota.Observe(roomLeft, null, TimeSpan.FromMilliseconds(10));
        Assert.Equal(RequestPace.Whole / 2, quota.RequestPaceShare);
    }

    [Fact]
    public void Observe_SuccessesAfterCongestion_GrowTheRequestRateBackToTheWhole()
    {
        using var registry = Registry(new QuotaLimits { RequestsPerMinute = 600 });
        var quota = (LlmQuota)registry.GetOrCreate(new QuotaKey(LlmProvider.OpenAI, "gpt-4o-mini"));
        _time.Advance(TimeSpan.FromSeconds(1));
        quota.Observe(new RateLimitSignals
        {
            Provider = LlmProvider.OpenAI, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true,
            BodyRetryHint = TimeSpan.FromMilliseconds(200),
        }, null, TimeSpan.FromMilliseconds(100));
        Assert.Equal(RequestPace.Whole / 2, quota.RequestPaceShare);

        // One request of the limit per success: 300 successes take half of 600 back to the whole.
        var ok = new RateLimitSignals { Provider = LlmProvider.OpenAI, StatusCode = 200 };
        _time.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 299; i++)
        {
            quota.Observe(ok, null, TimeSpan.FromMilliseconds(100));
        }

        Assert.True(quota.RequestPaceShare < RequestPace.Whole);
        quota.Observe(ok, null, TimeSpan.FromMilliseconds(100));
        quota.Observe(ok, null, TimeSpan.FromMilliseconds(100));
        Assert.Equal(RequestPace.Whole, quota.RequestPaceShare);
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.InRange(GrantedOver(quota, TimeSpan.FromSeconds(10)), 100, 110); // the window's 10 a second again
    }

    private int GrantedOver(LlmQuota quota, TimeSpan span)
    {
        int granted = 0;
        for (var t = TimeSpan.Zero; t < span; t += TimeSpan.FromMilliseconds(100))
        {
            while (quota.TryReserve(new RequestCost(1, 0, 0), out var reservation, out _))
            {
                reservation.Complete(new TokenUsage(0, 0));
                granted++;
            }

            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        return granted;
    }

    private static RateLimitSignals GeminiPerDay(TimeSpan? retryAfter) => new()
    {
        Provider = LlmProvider.Gemini, StatusCode = 429, ErrorClass = RateLimitErrorClass.QuotaExhausted, Retryable = false,
        ErrorCode = "RESOURCE_EXHAUSTED", RetryAfter = retryAfter,
        QuotaViolations = [new QuotaViolation("GenerateRequestsPerDayPerProjectPerModel-FreeTier", null, RateLimitWindow.Day, 250)],
    };

    [Fact]
    public void Observe_UnknownProviderWhoseResetsShowABucket_AdmitsTheWholeRoomAtOnce()
    {
        // Groq documents no enforcement: the safe shape admits a sixth of the minute per 10 s until its resets show a
        // continuously refilled bucket (the reset is what was used over the refill rate), which is then used whole.
        using var registry = Registry(new QuotaLimits { TokensPerMinute = 12_000 });
        var quota = (LlmQuota)registry.GetOrCreate(new QuotaKey(LlmProvider.Groq, "groq-test-model"));
        var cost = new RequestCost(1, 250, 250);
        Assert.Equal(3, ReserveAll(quota, cost)); // 2,000 per 10 s less the margin's 50

        ObserveTokenResets(quota, Bucket); // a bucket: each charge puts the moment it is full again later

        Assert.True(Assert.IsType<ShapeLearningWindow>(quota.Window(QuotaDimension.TokensPerMinute)).IsBucket);
        Assert.Equal(19, ReserveAll(quota, cost)); // the 9,900 left of the minute (2,100 taken), not another 10 s share
    }

    [Fact]
    public void Observe_UnknownProviderWhoseResetsAreAFixedWindowsEdge_KeepsTheSafeShape()
    {
        using var registry = Registry(new QuotaLimits { TokensPerMinute = 12_000 });
        var quota = (LlmQuota)registry.GetOrCreate(new QuotaKey(LlmProvider.Groq, "groq-test-model"));
        var cost = new RequestCost(1, 250, 250);
        Assert.Equal(3, ReserveAll(quota, cost));

        ObserveTokenResets(quota, (second, used) => (12_000 - used, TimeSpan.FromSeconds(37 - second))); // the window's edge, whatever was used

        Assert.False(Assert.IsType<ShapeLearningWindow>(quota.Window(QuotaDimension.TokensPerMinute)).IsBucket);
        Assert.Equal(1, ReserveAll(quota, new RequestCost(1, 100, 100))); // the 10 s share's 1,950 less 2,100 taken, plus 2 s of its refill
    }

    [Fact]
    public void Observe_429WithRoomAfterABucketWasLearned_ReturnsToTheSafeShape()
    {
        using var registry = Registry(new QuotaLimits { TokensPerMinute = 12_000 });
        var quota = (LlmQuota)registry.GetOrCreate(new QuotaKey(LlmProvider.Groq, "groq-test-model"));
        ReserveAll(quota, new RequestCost(1, 250, 250));
        ObserveTokenResets(quota, Bucket);
        var window = Assert.IsType<ShapeLearningWindow>(quota.Window(QuotaDimension.TokensPerMinute));
        Assert.True(window.IsBucket);

        // Refused while 9,000 tokens are reported left: the provider enforces over a shorter period than a bucket's.
        quota.Observe(new RateLimitSignals
        {
            Provider = LlmProvider.Groq, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited,
            Tokens = new RateLimitDimension(12_000, 9_000, TimeSpan.FromSeconds(15)), RetryAfter = TimeSpan.FromSeconds(1),
        });

        Assert.False(window.IsBucket);
        Assert.Equal(TimeSpan.FromSeconds(5), window.SafeShape.Log.Shape.BurstPeriod);
    }

    /// <summary>
    /// Three successes a second apart, with a 300-token request reserved before the second and the third: the provider
    /// reports what was used (the opening 1,500 and those) as <paramref name="report"/> makes of it at each second.
    /// </summary>
    private void ObserveTokenResets(LlmQuota quota, Func<int, long, (long Remaining, TimeSpan Reset)> report)
    {
        long used = 1_500;
        for (int second = 0; second < 3; second++)
        {
            if (second > 0)
            {
                Assert.True(quota.TryReserve(new RequestCost(1, 150, 150), out var reservation, out _));
                reservation.Complete(new TokenUsage(150, 150));
                used += 300;
            }

            var (remaining, reset) = report(second, used);
            quota.Observe(new RateLimitSignals
            {
                Provider = LlmProvider.Groq, StatusCode = 200, RequestsWindow = RateLimitWindow.Day,
                Tokens = new RateLimitDimension(12_000, remaining, reset),
            });
            if (second < 2)
            {
                _time.Advance(TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>A continuously refilled bucket of 12,000 per minute: 200 back per second, full again when what is left of the use has refilled.</summary>
    private static (long Remaining, TimeSpan Reset) Bucket(int second, long used)
    {
        long left = Math.Max(0, used - (200 * second));
        return (12_000 - left, TimeSpan.FromSeconds(left / 200.0));
    }
}
