using System.Net;
using System.Text;
using FastBucket.Providers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FastBucket.Llm.Tests.Providers;

public sealed class RateLimitSignalReaderTests
{
    private static readonly DateTimeOffset s_now = new(2025, 8, 21, 12, 41, 0, TimeSpan.Zero);

    [Fact]
    public void Read_NullResponse_ThrowsNamingTheParameter()
    {
        ArgumentNullException exception = Assert.Throws<ArgumentNullException>(() => RateLimitSignalReader.Read(LlmProvider.OpenAI, null!, default, s_now));
        Assert.Equal("response", exception.ParamName);
    }

    [Fact]
    public void Read_UndefinedProvider_ThrowsNamingTheParameter()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        ArgumentOutOfRangeException exception = Assert.Throws<ArgumentOutOfRangeException>(() => RateLimitSignalReader.Read((LlmProvider)42, response, default, s_now));
        Assert.Equal("provider", exception.ParamName);
    }

    [Fact]
    public void Read_HeaderNamesInAnyCase_ReadTheSame()
    {
        using HttpResponseMessage lower = Response(HttpStatusCode.OK, ("x-ratelimit-limit-requests", "60"), ("x-ratelimit-reset-tokens", "6m0s"), ("retry-after-ms", "250"));
        using HttpResponseMessage upper = Response(HttpStatusCode.OK, ("X-RATELIMIT-LIMIT-REQUESTS", "60"), ("X-RateLimit-Reset-Tokens", "6m0s"), ("Retry-After-MS", "250"));

        RateLimitSignals a = RateLimitSignalReader.Read(LlmProvider.OpenAI, lower, default, s_now);
        RateLimitSignals b = RateLimitSignalReader.Read(LlmProvider.OpenAI, upper, default, s_now);

        Assert.Equal(60, b.Requests.Limit);
        Assert.Equal(TimeSpan.FromMinutes(6), b.Tokens.Reset);
        Assert.Equal(TimeSpan.FromMilliseconds(250), b.RetryAfter);
        Assert.Equal(a.Requests, b.Requests);
        Assert.Equal(a.Tokens, b.Tokens);
    }

    [Fact]
    public void Read_SuccessfulResponse_IsNoErrorAndRetryableUnknown()
    {
        using HttpResponseMessage response = Response(HttpStatusCode.OK, ("x-ratelimit-remaining-tokens", "10"));

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.OpenAI, response, default, s_now);

        Assert.Equal(RateLimitErrorClass.None, signals.ErrorClass);
        Assert.Null(signals.Retryable);
        Assert.Equal(10, signals.Tokens.Remaining);
        Assert.True(signals.Requests.IsEmpty);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, RateLimitErrorClass.TransientError, true)]
    [InlineData(HttpStatusCode.BadGateway, RateLimitErrorClass.TransientError, true)]
    [InlineData(HttpStatusCode.RequestTimeout, RateLimitErrorClass.TransientError, true)]
    [InlineData(HttpStatusCode.Conflict, RateLimitErrorClass.TransientError, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, RateLimitErrorClass.Overloaded, true)]
    [InlineData((HttpStatusCode)529, RateLimitErrorClass.Overloaded, true)]
    [InlineData(HttpStatusCode.TooManyRequests, RateLimitErrorClass.RateLimited, true)]
    [InlineData(HttpStatusCode.PaymentRequired, RateLimitErrorClass.QuotaExhausted, false)]
    [InlineData(HttpStatusCode.BadRequest, RateLimitErrorClass.Other, false)]
    [InlineData(HttpStatusCode.Unauthorized, RateLimitErrorClass.Other, false)]
    public void Read_StatusWithoutBody_ClassifiesByStatus(HttpStatusCode status, RateLimitErrorClass expectedClass, bool expectedRetryable)
    {
        using var response = new HttpResponseMessage(status);

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.Generic, response, default, s_now);

        Assert.Equal(expectedClass, signals.ErrorClass);
        Assert.Equal(expectedRetryable, signals.Retryable);
    }

    [Fact]
    public void Read_AnthropicMonthlySpendCap_IsQuotaExhaustedNotRetryable()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        byte[] body = """{"type":"error","error":{"type":"rate_limit_error","message":"You have reached your API usage limits: your organization has crossed its monthly API usage threshold","details":{"error_code":"enforced_spend_limit_reached"}},"request_id":"req_1"}"""u8.ToArray();

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.Anthropic, response, body, s_now);

        Assert.Equal(RateLimitErrorClass.QuotaExhausted, signals.ErrorClass);
        Assert.False(signals.Retryable);
        Assert.Equal("enforced_spend_limit_reached", signals.ErrorCode);
        Assert.Equal("rate_limit_error", signals.ErrorType);
    }

    [Fact]
    public void Read_AnthropicWorkspaceLimit400_IsQuotaExhausted()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest);
        byte[] body = """{"type":"error","error":{"type":"invalid_request_error","message":"You have reached your specified API usage limits. You will regain access on 2026-08-01 at 00:00 UTC."}}"""u8.ToArray();

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.Anthropic, response, body, s_now);

        Assert.Equal(RateLimitErrorClass.QuotaExhausted, signals.ErrorClass);
        Assert.False(signals.Retryable);
    }

    [Fact]
    public void Read_AnthropicOverloadedMidStreamUnder200Status_StillNoError()
    {
        // The body is only read for non-2xx responses; a 200 is never an error however its body looks.
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        byte[] body = """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"""u8.ToArray();

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.Anthropic, response, body, s_now);

        Assert.Equal(RateLimitErrorClass.None, signals.ErrorClass);
        Assert.Null(signals.ErrorType);
    }

    [Fact]
    public void Read_GroqHeaders_RequestsCountPerDay()
    {
        using HttpResponseMessage response = Response(
            HttpStatusCode.OK,
            ("x-ratelimit-limit-requests", "14400"),
            ("x-ratelimit-limit-tokens", "18000"),
            ("x-ratelimit-remaining-requests", "14370"),
            ("x-ratelimit-remaining-tokens", "17997"),
            ("x-ratelimit-reset-requests", "2m59.56s"),
            ("x-ratelimit-reset-tokens", "7.66s"));

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.Groq, response, default, s_now);

        Assert.Equal(RateLimitWindow.Day, signals.RequestsWindow);
        Assert.Equal(new RateLimitDimension(14400, 14370, TimeSpan.FromSeconds(179.56)), signals.Requests);
        Assert.Equal(new RateLimitDimension(18000, 17997, TimeSpan.FromSeconds(7.66)), signals.Tokens);
    }

    [Fact]
    public void Read_GroqTokenRateLimitBody_ReadsHintAndStatedLimit()
    {
        using HttpResponseMessage response = Response(HttpStatusCode.TooManyRequests, ("retry-after", "5"));
        byte[] body = """{"error":{"message":"Rate limit reached for model `llama-3.3-70b-versatile` in organization `org_01` service tier `on_demand` on tokens per minute (TPM): Limit 12000, Used 11000, Requested 2000. Please try again in 4.5s. Need more tokens?","type":"tokens","code":"rate_limit_exceeded"}}"""u8.ToArray();

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.Groq, response, body, s_now);

        Assert.Equal(RateLimitErrorClass.RateLimited, signals.ErrorClass);
        Assert.True(signals.Retryable);
        Assert.Equal(TimeSpan.FromSeconds(5), signals.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(4.5), signals.BodyRetryHint);
        Assert.Equal(12000, signals.TokensLimitFromBody);
    }

    [Fact]
    public void Read_OpenAIRequestsPerDayMessage_NamesDayWindow()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        byte[] body = """{"error":{"message":"Rate limit reached for gpt-4o in organization org-x on requests per day (RPD): Limit 10000, Used 10000, Requested 1. Please try again in 8.64s.","type":"requests","code":"rate_limit_exceeded"}}"""u8.ToArray();

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.OpenAI, response, body, s_now);

        Assert.Equal(RateLimitWindow.Day, signals.RequestsWindow);
        Assert.Null(signals.TokensLimitFromBody);
        Assert.Equal(TimeSpan.FromSeconds(8.64), signals.BodyRetryHint);
    }

    [Fact]
    public void Read_AzureMinusOne_MakesItsWholeFamilyAbsent()
    {
        // Issue 14, item 17: a -1 means Azure does not report that dimension at all, so a limit beside it is not
        // one either (it was read as 90000 before).
        using HttpResponseMessage response = Response(HttpStatusCode.OK, ("x-ratelimit-remaining-requests", "-1"), ("x-ratelimit-remaining-tokens", "-1"), ("x-ratelimit-limit-tokens", "90000"));

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.AzureOpenAI, response, default, s_now);

        Assert.True(signals.Requests.IsEmpty);
        Assert.True(signals.Tokens.IsEmpty);
    }

    [Fact]
    public void Read_OpenRouterBodyHeaders_DoNotOverrideRealHeaders()
    {
        using HttpResponseMessage response = Response(HttpStatusCode.TooManyRequests, ("X-RateLimit-Limit", "20"), ("X-RateLimit-Remaining", "3"));
        byte[] body = """{"error":{"message":"Rate limit exceeded","code":429,"metadata":{"headers":{"X-RateLimit-Limit":"50","X-RateLimit-Remaining":"0","X-RateLimit-Reset":"1756255230000"}}}}"""u8.ToArray();

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.OpenRouter, response, body, new DateTimeOffset(2025, 8, 27, 0, 40, 0, TimeSpan.Zero));

        Assert.Equal(20, signals.Requests.Limit);
        Assert.Equal(3, signals.Requests.Remaining);
        Assert.Equal(TimeSpan.FromSeconds(30), signals.Requests.Reset);
    }

    [Theory]
    [InlineData("1756255230", 30.0)]
    [InlineData("45", 45.0)]
    [InlineData("1756255100000", 0.0)]
    public void Read_OpenRouterReset_ReadsEpochMillisecondsSecondsOrDelay(string reset, double expectedSeconds)
    {
        using HttpResponseMessage response = Response(HttpStatusCode.OK, ("X-RateLimit-Reset", reset));

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.OpenRouter, response, default, new DateTimeOffset(2025, 8, 27, 0, 40, 0, TimeSpan.Zero));

        Assert.Equal(expectedSeconds, signals.Requests.Reset!.Value.TotalSeconds, 1e-6);
    }

    [Fact]
    public void Read_OpenRouterKeyInfoUnlimited_ReportsNullLimit()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        byte[] body = """{"data":{"label":"k","limit":null,"limit_remaining":null,"limit_reset":null,"usage":0.25,"is_free_tier":true,"rate_limit":{"requests":-1,"interval":"10s"}}}"""u8.ToArray();

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.OpenRouter, response, body, s_now);

        Assert.NotNull(signals.KeyInfo);
        Assert.Equal(new FastBucket.Providers.OpenRouter.OpenRouterKeyInfo(null, null, null, 0.25, true), signals.KeyInfo);
    }

    [Fact]
    public void Read_GeminiArrayWrappedError_ReadsRetryInfo()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        byte[] body = """[{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12s"}]}}]"""u8.ToArray();

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.Gemini, response, body, s_now);

        Assert.Equal(TimeSpan.FromSeconds(12), signals.RetryAfter);
        Assert.Equal("RESOURCE_EXHAUSTED", signals.ErrorCode);
        Assert.True(signals.Retryable);
    }

    [Fact]
    public void Read_ExplicitWaitBeyondFiveMinutes_ReportsWaitButNotRetryable()
    {
        using HttpResponseMessage response = Response(HttpStatusCode.TooManyRequests, ("retry-after", "3600"));

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.Generic, response, default, s_now);

        Assert.Equal(TimeSpan.FromHours(1), signals.RetryAfter);
        Assert.Equal(RateLimitErrorClass.RateLimited, signals.ErrorClass);
        Assert.False(signals.Retryable);
    }

    [Fact]
    public void Read_ShouldRetryTrueOnQuotaExhausted_StaysNotRetryable()
    {
        using HttpResponseMessage response = Response(HttpStatusCode.TooManyRequests, ("x-should-retry", "true"));
        byte[] body = """{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"""u8.ToArray();

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.OpenAI, response, body, s_now);

        Assert.True(signals.ShouldRetryHeader);
        Assert.False(signals.Retryable);
    }

    [Fact]
    public void Read_ShouldRetryTrueOnBadRequest_IsRetryable()
    {
        using HttpResponseMessage response = Response(HttpStatusCode.BadRequest, ("x-should-retry", "true"));

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.Anthropic, response, default, s_now);

        Assert.True(signals.Retryable);
    }

    [Fact]
    public void Read_AnthropicResetInThePast_ReadsAsZero()
    {
        using HttpResponseMessage response = Response(HttpStatusCode.OK, ("anthropic-ratelimit-requests-reset", "2025-08-21T12:40:00Z"));

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.Anthropic, response, default, s_now);

        Assert.Equal(TimeSpan.Zero, signals.Requests.Reset);
    }

    [Fact]
    public void Read_RetryAfterAsContentHeaderAndRepeatedHeader_UsesFirstValidValue()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new ByteArrayContent([]) };
        response.Headers.TryAddWithoutValidation("retry-after", ["soon", "7"]);

        RateLimitSignals signals = RateLimitSignalReader.Read(LlmProvider.Generic, response, default, s_now);

        Assert.Equal(TimeSpan.FromSeconds(7), signals.RetryAfter);
    }

    [Theory]
    [InlineData(LlmProvider.OpenAI)]
    [InlineData(LlmProvider.Anthropic)]
    [InlineData(LlmProvider.Gemini)]
    [InlineData(LlmProvider.OpenRouter)]
    [InlineData(LlmProvider.AzureOpenAI)]
    [InlineData(LlmProvider.Groq)]
    [InlineData(LlmProvider.Generic)]
    public void Read_TypicalSuccessfulResponse_AllocatesNothing(LlmProvider provider)
    {
        using HttpResponseMessage response = TypicalSuccessfulResponses.For(provider);
        RateLimitSignals warm = RateLimitSignalReader.Read(provider, response, default, TypicalSuccessfulResponses.Now);
        Assert.Equal(RateLimitErrorClass.None, warm.ErrorClass);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            RateLimitSignalReader.Read(provider, response, default, TypicalSuccessfulResponses.Now);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(LlmProvider.OpenAI)]
    [InlineData(LlmProvider.Anthropic)]
    [InlineData(LlmProvider.OpenRouter)]
    [InlineData(LlmProvider.AzureOpenAI)]
    [InlineData(LlmProvider.Groq)]
    public void Read_TypicalSuccessfulResponse_ReportsItsLimits(LlmProvider provider)
    {
        using HttpResponseMessage response = TypicalSuccessfulResponses.For(provider);

        RateLimitSignals signals = RateLimitSignalReader.Read(provider, response, default, TypicalSuccessfulResponses.Now);

        Assert.NotNull(signals.Requests.Remaining);
    }

    [Property(MaxTest = 500, Arbitrary = [typeof(HeaderSoup)])]
    public bool Read_AnyHeaderSoupAndBody_NeverThrows(LlmProvider provider, int status, (string Name, string Value)[] headers, byte[] body, DateTimeOffset now)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new ByteArrayContent([]) };
        foreach ((string name, string value) in headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                response.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        RateLimitSignals signals = RateLimitSignalReader.Read(provider, response, body, now);
        LlmProviderDetector.FromResponse(response, body);
        using ProviderVectorJson written = new(signals);
        return signals.Provider == provider
            && (signals.RetryAfter is null || signals.RetryAfter >= TimeSpan.Zero)
            && (signals.Requests.Reset is null || signals.Requests.Reset >= TimeSpan.Zero);
    }

    private static HttpResponseMessage Response(HttpStatusCode status, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent([]) };
        foreach ((string name, string value) in headers)
        {
            Assert.True(response.Headers.TryAddWithoutValidation(name, value));
        }

        return response;
    }

    /// <summary>Writes signals through the JSON writer, so the property also proves writing never throws.</summary>
    private sealed class ProviderVectorJson : IDisposable
    {
        private readonly System.Text.Json.JsonDocument _document;

        public ProviderVectorJson(in RateLimitSignals signals) => _document = ProviderVectorTests.WriteJson(signals);

        public void Dispose() => _document.Dispose();
    }

    /// <summary>Generators for header soup: real header names in random case, tricky values, JSON-ish bodies.</summary>
    public static class HeaderSoup
    {
        private static readonly string[] s_names =
        [
            "retry-after", "retry-after-ms", "x-ms-retry-after-ms", "x-should-retry", "date",
            "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
            "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
            "x-ratelimit-limit-project-tokens", "x-ratelimit-reset-tokens_usage_based", "x-ratelimit-",
            "anthropic-ratelimit-requests-limit", "anthropic-ratelimit-input-tokens-reset", "anthropic-ratelimit-tokens-remaining",
            "anthropic-priority-output-tokens-reset", "anthropic-ratelimit-", "anthropic-priority--reset", "anthropic-ratelimit-unified-status",
            "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "x-groq-region", "apim-request-id", "openai-organization",
            "content-type",
        ];

        private static readonly string[] s_values =
        [
            "", " ", "0", "-1", "1", "60", "9223372036854775807", "9223372036854775808", "99999999999999999999999999999999999",
            "1.5", "-10", "nan", "inf", "Infinity", "1e5", "1s", "6m0s", "16m17.764s", "850\u00B5s", "-5s", "1h2m3.5s", "2562048h",
            "true", "false", "TRUE", "Fri, 29 Sep 2023 16:26:37 GMT", "Fri, 29 Sep 100000 16:26:57 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994", "2025-08-21T12:41:17.250Z", "2025-08-21T12:41:01+00:00", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
            "1779321600000", "1743638400", "922337203685477580", "\u0000", "\uFFFD\uFFFD", "ß", "µµµ",
        ];

        private static readonly string[] s_bodies =
        [
            "", "null", "[]", "{}", "[{}]", "\"x\"", "{\"error\":null}", "{\"error\":\"text\"}", "{\"error\":[1,2]}",
            "{\"error\":{\"code\":429,\"message\":\"Please retry in 99999999999999999999h.\"}}",
            "{\"error\":{\"code\":\"429\",\"message\":\"Please try again in -5s. Limit 99999999999999999999999\",\"type\":\"tokens\"}}",
            "{\"error\":{\"code\":1.5e300,\"status\":7,\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":{\"seconds\":\"922337203685\",\"nanos\":-1}},{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaId\":\"PerDayRequest\",\"quotaValue\":\"-3\"},{\"quotaId\":5},null]}]}}",
            "{\"error\":{\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":{\"seconds\":99999999999999999999}}]}}",
            "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"details\":{\"error_code\":5}}}",
            "{\"error\":{\"metadata\":{\"headers\":{\"X-RateLimit-Reset\":\"99999999999999999\",\"Retry-After\":\"x\",\"X-RateLimit-Limit\":5}}}}",
            "{\"data\":{\"limit\":\"100\",\"limit_remaining\":1e400,\"usage\":true,\"is_free_tier\":\"no\"}}",
            "{\"data\":{\"limit_remaining\":-1}}",
            "{\"error\":{\"message\":\"limit: 99999999999999999999, limit: -1, limit: \"}}",
            "{{{{", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        ];

        public static Arbitrary<LlmProvider> Providers() => Arb.From(Gen.Elements(Enum.GetValues<LlmProvider>()));

        public static Arbitrary<int> Statuses() => Arb.From(Gen.OneOf(Gen.Elements(200, 400, 402, 429, 500, 503, 529), Gen.Choose(100, 999)));

        public static Arbitrary<(string Name, string Value)[]> Headers()
        {
            Gen<string> name = Gen.OneOf(
                Gen.Elements(s_names).SelectMany(n => Gen.Elements(n, n.ToUpperInvariant(), RandomCase(n))),
                ArbMap.Default.GeneratorFor<string>().Where(s => s is not null).Select(s => s!));
            Gen<string> value = Gen.OneOf(
                Gen.Elements(s_values),
                ArbMap.Default.GeneratorFor<string>().Where(s => s is not null).Select(s => s!));
            return Arb.From(Gen.ArrayOf(Gen.Zip(name, value).Select(pair => (pair.Item1, pair.Item2))));
        }

        public static Arbitrary<byte[]> Bodies() => Arb.From(Gen.OneOf(
            Gen.Elements(s_bodies).Select(b => Encoding.UTF8.GetBytes(b)),
            ArbMap.Default.GeneratorFor<byte[]>().Where(b => b is not null)));

        private static string RandomCase(string name) =>
            string.Create(name.Length, name, (span, source) =>
            {
                for (int i = 0; i < span.Length; i++)
                {
                    span[i] = i % 2 == 0 ? char.ToUpperInvariant(source[i]) : source[i];
                }
            });
    }
}
