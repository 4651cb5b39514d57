using System.Globalization;
using System.Net;
using System.Text.Json;
using FastBucket.Simulator.Accounting;

namespace FastBucket.Simulator.Tests.Http;

/// <summary>What each named profile sends: headers, 429 bodies and usage as the provider documents them.</summary>
public sealed class AccountingProfileTests
{
    private const string ChatBody = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello there"}],"max_tokens":50}""";
    private const string GeminiBody = """{"contents":[{"role":"user","parts":[{"text":"Hello there"}]}],"generationConfig":{"maxOutputTokens":50}}""";

    [Fact]
    public async Task OpenAI_429_StatesTheWaitInTheMessageOnlyWithoutRetryAfter()
    {
        await using RunningSimulator simulator = await StartAsync("openai", SimulatedProvider.OpenAI, "rpm=60,tpm=100000");
        using HttpResponseMessage first = await PostChatAsync(simulator);
        using HttpResponseMessage second = await PostChatAsync(simulator);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("60", RunningSimulator.Header(first, "x-ratelimit-limit-requests"));

        // 60 RPM quantized to one per second: the second request at the same instant is refused.
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Null(RunningSimulator.Header(second, "retry-after"));

        // The headers report the minute, not the quantum: 58 left (one admitted, one refused and charged).
        Assert.Equal("58", RunningSimulator.Header(second, "x-ratelimit-remaining-requests"));
        JsonElement error = (await RunningSimulator.ReadJsonAsync(second)).GetProperty("error");
        Assert.Contains("Please try again in 1s.", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task OpenAI_TokensCharged_AreTheLargerOfInputAndMaxTokensAndKept()
    {
        await using RunningSimulator simulator = await StartAsync("openai", SimulatedProvider.OpenAI, "rpm=10000,tpm=100000");
        using HttpResponseMessage response = await PostChatAsync(simulator);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyList<ChargeRecord> log = simulator.Statistics.GetChargeLog();
        ChargeRecord admission = Assert.Single(log);
        Assert.Equal(50, admission.Tokens);
    }

    [Fact]
    public async Task Azure_SendsRemainingOnlyAndRetryAfterMsOn429()
    {
        await using RunningSimulator simulator = await StartAsync("azure", SimulatedProvider.AzureOpenAI, "rpm=6,tpm=100000");
        const string Path = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21";
        using HttpResponseMessage first = await simulator.PostAsync(Path, ChatBody, ("api-key", "azure-key"));
        using HttpResponseMessage second = await simulator.PostAsync(Path, ChatBody, ("api-key", "azure-key"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("0", RunningSimulator.Header(first, "x-ratelimit-remaining-requests"));
        Assert.Null(RunningSimulator.Header(first, "x-ratelimit-limit-requests"));
        Assert.Null(RunningSimulator.Header(first, "x-ratelimit-reset-requests"));

        // 6 RPM over 10 s windows is 1 per window; the start (12:41:00) is a window's first instant.
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("10000", RunningSimulator.Header(second, "retry-after-ms"));
        Assert.Equal("10", RunningSimulator.Header(second, "retry-after"));
    }

    [Fact]
    public async Task Gemini_PerDayExhausted_SendsNoHeadersAndAShortRetryInfoNamingTheDay()
    {
        await using RunningSimulator simulator = await StartAsync("gemini", SimulatedProvider.Gemini, "rpm=100,tpm=100000,rpd=1");
        const string Path = "/v1beta/models/gemini-2.5-flash:generateContent";
        using HttpResponseMessage first = await simulator.PostAsync(Path, GeminiBody, ("x-goog-api-key", "gemini-key"));
        using HttpResponseMessage second = await simulator.PostAsync(Path, GeminiBody, ("x-goog-api-key", "gemini-key"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.DoesNotContain(first.Headers, h => h.Key.Contains("ratelimit", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        JsonElement details = (await RunningSimulator.ReadJsonAsync(second)).GetProperty("error").GetProperty("details");
        string? quotaId = details.EnumerateArray().Single(d => d.GetProperty("@type").GetString()!.EndsWith("QuotaFailure", StringComparison.Ordinal))
            .GetProperty("violations")[0].GetProperty("quotaId").GetString();
        string? retryDelay = details.EnumerateArray().Single(d => d.GetProperty("@type").GetString()!.EndsWith("RetryInfo", StringComparison.Ordinal))
            .GetProperty("retryDelay").GetString();
        Assert.Contains("PerDay", quotaId, StringComparison.Ordinal);

        // Midnight Pacific is hours away (12:41 UTC is 05:41 PDT), yet the hint is one minute at most.
        Assert.Equal("60s", retryDelay);
    }

    [Fact]
    public async Task OpenRouterFree_HeadersOnlyInsideThe429Body_ResetAtTheNextClockMinute()
    {
        await using RunningSimulator simulator = await StartAsync("openrouter-free", SimulatedProvider.OpenRouter, "rpm=1,rpd=50");
        simulator.Time.Advance(TimeSpan.FromSeconds(20));
        const string Path = "/api/v1/chat/completions";
        using HttpResponseMessage first = await simulator.PostAsync(Path, ChatBody, ("Authorization", "Bearer sk-or-test"));
        using HttpResponseMessage second = await simulator.PostAsync(Path, ChatBody, ("Authorization", "Bearer sk-or-test"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Null(RunningSimulator.Header(first, "X-RateLimit-Limit"));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Null(RunningSimulator.Header(second, "X-RateLimit-Limit"));
        JsonElement headers = (await RunningSimulator.ReadJsonAsync(second)).GetProperty("error").GetProperty("metadata").GetProperty("headers");
        Assert.Equal("1", headers.GetProperty("X-RateLimit-Limit").GetString());
        Assert.Equal("0", headers.GetProperty("X-RateLimit-Remaining").GetString());
        long nextMinute = RunningSimulator.Start.AddMinutes(1).ToUnixTimeMilliseconds();
        Assert.Equal(nextMinute.ToString(CultureInfo.InvariantCulture), headers.GetProperty("X-RateLimit-Reset").GetString());
    }

    [Fact]
    public async Task OpenRouterFree_RefusedRequestsCountTowardTheDay()
    {
        await using RunningSimulator simulator = await StartAsync("openrouter-free", SimulatedProvider.OpenRouter, "rpm=1,rpd=3");
        const string Path = "/api/v1/chat/completions";
        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage response = await simulator.PostAsync(Path, ChatBody, ("Authorization", "Bearer sk-or-test"));
        }

        // One admitted, two refused by the minute; all three counted on the day, so the next minute is refused by the day.
        simulator.Time.Advance(TimeSpan.FromMinutes(1));
        using HttpResponseMessage next = await simulator.PostAsync(Path, ChatBody, ("Authorization", "Bearer sk-or-test"));
        Assert.Equal(HttpStatusCode.TooManyRequests, next.StatusCode);
        Assert.Equal(1, simulator.Statistics.RateLimitedBy(RateLimitDimension.RequestsPerDay));
    }

    [Fact]
    public async Task Groq_RequestsHeadersArePerDay_RpmOnlyInThe429Message()
    {
        await using RunningSimulator simulator = await StartAsync("groq", SimulatedProvider.OpenAI, "rpm=1,rpd=14400,tpm=6000");
        using HttpResponseMessage first = await PostChatAsync(simulator);
        using HttpResponseMessage second = await PostChatAsync(simulator);

        Assert.Equal("14400", RunningSimulator.Header(first, "x-ratelimit-limit-requests"));
        Assert.Equal("14399", RunningSimulator.Header(first, "x-ratelimit-remaining-requests"));
        Assert.Equal("6000", RunningSimulator.Header(first, "x-ratelimit-limit-tokens"));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("60", RunningSimulator.Header(second, "retry-after"));
        string? message = (await RunningSimulator.ReadJsonAsync(second)).GetProperty("error").GetProperty("message").GetString();
        Assert.Contains("service tier `on_demand` on requests per min (RPM): Limit 1, Used 1, Requested 1. Please try again in 1m0s.", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anthropic_CachedPrefix_ReportedAsCacheReadAndNotChargedToItpm()
    {
        await using RunningSimulator simulator = await StartAsync("anthropic", SimulatedProvider.Anthropic, "rpm=100,itpm=100000,otpm=100000");
        string prefix = string.Join(' ', Enumerable.Repeat("The council compares both options and lists the costs.", 120));
        string body = JsonSerializer.Serialize(new
        {
            model = "claude-sonnet-4-5",
            max_tokens = 20,
            system = new object[] { new Dictionary<string, object> { ["type"] = "text", ["text"] = prefix, ["cache_control"] = new { type = "ephemeral" } } },
            messages = new[] { new { role = "user", content = "Summarize." } },
        });

        using HttpResponseMessage first = await simulator.PostAsync("/v1/messages", body, ("x-api-key", "sk-ant-test"));
        using HttpResponseMessage second = await simulator.PostAsync("/v1/messages", body, ("x-api-key", "sk-ant-test"));

        JsonElement written = (await RunningSimulator.ReadJsonAsync(first)).GetProperty("usage");
        JsonElement read = (await RunningSimulator.ReadJsonAsync(second)).GetProperty("usage");
        long cached = written.GetProperty("cache_creation_input_tokens").GetInt64();
        Assert.True(cached >= 1_024, $"the prefix is cacheable ({cached} tokens)");
        Assert.Equal(0, written.GetProperty("cache_read_input_tokens").GetInt64());
        Assert.Equal(cached, read.GetProperty("cache_read_input_tokens").GetInt64());
        Assert.Equal(0, read.GetProperty("cache_creation_input_tokens").GetInt64());
        Assert.Equal(written.GetProperty("input_tokens").GetInt64(), read.GetProperty("input_tokens").GetInt64());

        ChargeRecord[] admissions = [.. simulator.Statistics.GetChargeLog().Where(r => r.Kind == ChargeKind.Admission)];
        Assert.Equal(cached, admissions[0].InputTokens - admissions[1].InputTokens);
        Assert.Equal(cached, simulator.Statistics.CacheReadTokens);
    }

    [Fact]
    public async Task Lenient_KeepsRetryAfterAndFullHeaders()
    {
        await using RunningSimulator simulator = await StartAsync("lenient", SimulatedProvider.OpenAI, "rpm=1,tpm=100000");
        using HttpResponseMessage first = await PostChatAsync(simulator);
        using HttpResponseMessage second = await PostChatAsync(simulator);

        Assert.Equal("1", RunningSimulator.Header(first, "x-ratelimit-limit-requests"));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("60", RunningSimulator.Header(second, "retry-after"));
    }

    private static Task<HttpResponseMessage> PostChatAsync(RunningSimulator simulator) =>
        simulator.PostAsync("/v1/chat/completions", ChatBody, ("Authorization", "Bearer sk-test"));

    private static Task<RunningSimulator> StartAsync(string profile, SimulatedProvider provider, string limits) =>
        RunningSimulator.StartAsync(options =>
        {
            options.Accounting = AccountingModel.Profile(profile);
            options.RateLimits[provider] = PerKeyModelLimits.Uniform(RateLimits.Parse(limits));
            options.MinOutputTokens = 10;
        });
}
