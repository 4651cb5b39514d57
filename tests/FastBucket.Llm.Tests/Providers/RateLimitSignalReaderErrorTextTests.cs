using System.Net;
using System.Text;
using FastBucket.Providers;

namespace FastBucket.Llm.Tests.Providers;

/// <summary>What error texts and key bodies say beyond the headers: daily caps, limits in words, Azure's -1, OpenRouter's older key shape.</summary>
public sealed class RateLimitSignalReaderErrorTextTests
{
    private static readonly DateTimeOffset s_now = new(2025, 8, 21, 12, 41, 0, TimeSpan.Zero);

    private static RateLimitSignals Read(LlmProvider provider, HttpStatusCode status, string body, params (string Name, string Value)[] headers)
    {
        using var response = new HttpResponseMessage(status) { Content = new ByteArrayContent([]) };
        foreach ((string name, string value) in headers)
        {
            Assert.True(response.Headers.TryAddWithoutValidation(name, value));
        }

        return RateLimitSignalReader.Read(provider, response, Encoding.UTF8.GetBytes(body), s_now);
    }

    private static string OpenAIError(string message, string type = "tokens") =>
        $$$"""{"error":{"message":"{{{message}}}","type":"{{{type}}}","param":null,"code":"rate_limit_exceeded"}}""";

    [Fact]
    public void Read_GroqDailyTokensWaitOfHours_IsADailyCapNotARetryableWait()
    {
        const string message = "Rate limit reached for model `llama-3.3-70b-versatile` in organization `org_01hx` service tier `on_demand` on tokens per day (TPD): Limit 100000, Used 99864, Requested 1011. Please try again in 14h29m11.04s. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing";

        RateLimitSignals signals = Read(LlmProvider.Groq, HttpStatusCode.TooManyRequests, OpenAIError(message));

        Assert.Equal(RateLimitErrorClass.QuotaExhausted, signals.ErrorClass);
        Assert.False(signals.Retryable);
        Assert.Equal(new TimeSpan(0, 14, 29, 11, 40), signals.BodyRetryHint);
        Assert.Equal(100_000, signals.TokensLimitFromBody);
        Assert.Equal(RateLimitWindow.Day, signals.BodyLimitWindow);
    }

    [Fact]
    public void Read_WaitOfHoursWithoutAWindow_IsStillACap()
    {
        RateLimitSignals signals = Read(LlmProvider.OpenAI, HttpStatusCode.TooManyRequests, OpenAIError("Rate limit reached. Please try again in 3h0m0s."));

        Assert.Equal(RateLimitErrorClass.QuotaExhausted, signals.ErrorClass);
        Assert.False(signals.Retryable);
    }

    [Fact]
    public void Read_WaitOfSecondsPerMinute_StaysARetryableRateLimit()
    {
        RateLimitSignals signals = Read(LlmProvider.OpenAI, HttpStatusCode.TooManyRequests, OpenAIError("Rate limit reached for gpt-4o-mini in organization org-x on tokens per min (TPM): Limit 50000, Used 47949, Requested 3006. Please try again in 1.146s."));

        Assert.Equal(RateLimitErrorClass.RateLimited, signals.ErrorClass);
        Assert.True(signals.Retryable);
        Assert.Equal(50_000, signals.TokensLimitFromBody);
        Assert.Equal(RateLimitWindow.Minute, signals.BodyLimitWindow);
        Assert.Null(signals.RequestsLimitFromBody);
    }

    [Fact]
    public void Read_GroqRequestsPerMinuteInTheText_ReportsTheRpmBesideTheDailyHeaders()
    {
        // Groq's x-ratelimit-*-requests headers count per day; its RPM appears only in the 429 text.
        const string message = "Rate limit reached for model `llama-3.1-8b-instant` in organization `org_01hx` service tier `on_demand` on requests per minute (RPM): Limit 30, Used 30, Requested 1. Please try again in 1.2s. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing";

        RateLimitSignals signals = Read(
            LlmProvider.Groq,
            HttpStatusCode.TooManyRequests,
            OpenAIError(message, type: "requests"),
            ("x-ratelimit-limit-requests", "14400"),
            ("x-ratelimit-remaining-requests", "14370"),
            ("retry-after", "2"));

        Assert.Equal(30, signals.RequestsLimitFromBody);
        Assert.Equal(RateLimitWindow.Minute, signals.BodyLimitWindow);
        Assert.Equal(14_400, signals.Requests.Limit);
        Assert.Equal(RateLimitWindow.Day, signals.RequestsWindow);
        Assert.Equal(RateLimitErrorClass.RateLimited, signals.ErrorClass);
        Assert.True(signals.Retryable);
    }

    [Theory]
    [InlineData("You are limited to 8 requests per minute.", 8L, RateLimitWindow.Minute)]
    [InlineData("Rate limit exceeded: limited to 1,000 requests per day for this key", 1000L, RateLimitWindow.Day)]
    [InlineData("Too many requests: 120 requests per hour allowed", 120L, RateLimitWindow.Hour)]
    public void Read_LimitGivenInWords_ReportsTheLimitAndItsWindow(string message, long limit, RateLimitWindow window)
    {
        RateLimitSignals signals = Read(LlmProvider.Generic, HttpStatusCode.TooManyRequests, $$$"""{"error":{"message":"{{{message}}}"}}""");

        Assert.Equal(limit, signals.RequestsLimitFromBody);
        Assert.Equal(window, signals.BodyLimitWindow);
    }

    [Fact]
    public void Read_OpenRouterUpstreamLimitInWords_IsReported()
    {
        const string body = """{"error":{"message":"Provider returned error","code":429,"metadata":{"raw":"meta-llama/llama-3.3-70b-instruct:free is temporarily rate-limited upstream: limited to 8 requests per minute","provider_name":"Together"}}}""";

        RateLimitSignals signals = Read(LlmProvider.OpenRouter, HttpStatusCode.TooManyRequests, body);

        Assert.Equal(8, signals.RequestsLimitFromBody);
        Assert.Equal(RateLimitWindow.Minute, signals.BodyLimitWindow);
    }

    [Fact]
    public void Read_NumbersThatAreNotLimits_AreNotReported()
    {
        RateLimitSignals signals = Read(LlmProvider.Generic, HttpStatusCode.TooManyRequests, """{"error":{"message":"Add 10 credits to unlock 1000 free model requests per day"}}""");

        Assert.Null(signals.RequestsLimitFromBody);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_AzureMinusOneSentinels_MakeTheWholeFamilyAbsentResetIncluded(bool resetFirst)
    {
        (string, string)[] tokens = [("x-ratelimit-limit-tokens", "-1"), ("x-ratelimit-remaining-tokens", "-1"), ("x-ratelimit-reset-tokens", "0s")];
        (string, string)[] requests = [("x-ratelimit-remaining-requests", "99"), ("x-ratelimit-reset-requests", "10s")];
        var headers = resetFirst ? tokens.Reverse().Concat(requests).ToArray() : tokens.Concat(requests).ToArray();

        RateLimitSignals signals = Read(LlmProvider.AzureOpenAI, HttpStatusCode.OK, "", headers);

        Assert.True(signals.Tokens.IsEmpty, signals.Tokens.ToString());
        Assert.Equal(99, signals.Requests.Remaining);
        Assert.Equal(TimeSpan.FromSeconds(10), signals.Requests.Reset);
    }

    [Fact]
    public void Read_OpenRouterOlderKeyInfoShape_ReadsItsRateLimit()
    {
        const string body = """{"data":{"label":"sk-or-v1-abc...","usage":1.25,"limit":null,"is_free_tier":false,"limit_remaining":null,"rate_limit":{"requests":10,"interval":"10s"}}}""";

        RateLimitSignals signals = Read(LlmProvider.OpenRouter, HttpStatusCode.OK, body);

        Assert.NotNull(signals.KeyInfo);
        Assert.Equal(10, signals.KeyInfo.RateLimitRequests);
        Assert.Equal(TimeSpan.FromSeconds(10), signals.KeyInfo.RateLimitInterval);
    }

    [Theory]
    [InlineData("""{"requests":-1,"interval":"10s"}""")]
    [InlineData("""{"interval":"1h","note":"This field is deprecated and safe to ignore.","requests":1000}""")]
    [InlineData("""{"requests":"10","interval":"10s"}""")]
    [InlineData("""{"requests":10,"interval":"soon"}""")]
    public void Read_OpenRouterPlaceholderKeyRateLimit_IsNotALimit(string rateLimit)
    {
        string body = $$$"""{"data":{"usage":1.25,"limit":null,"is_free_tier":false,"limit_remaining":null,"rate_limit":{{{rateLimit}}}}}""";

        RateLimitSignals signals = Read(LlmProvider.OpenRouter, HttpStatusCode.OK, body);

        Assert.NotNull(signals.KeyInfo);
        Assert.Null(signals.KeyInfo.RateLimitRequests);
        Assert.Null(signals.KeyInfo.RateLimitInterval);
    }
}
