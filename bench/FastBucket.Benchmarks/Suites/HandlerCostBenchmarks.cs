using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using FastBucket.Benchmarks.Configuration;
using FastBucket.Benchmarks.Suites.Handler;
using FastBucket.Estimation;
using FastBucket.Http;
using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Benchmarks.Suites;

/// <summary>
/// The handler's own cost per request (estimate, reserve, read the signals, reconcile the usage) for an OpenAI chat
/// completion whose prompt is about 1,000 or 10,000 tokens: the same <see cref="HttpClient"/> with and without
/// <see cref="FastBucketHandler"/>, first against an inner handler that answers at once (the handler's work alone,
/// exactly), then over loopback HTTP to a raw-socket server. The quota's limits are far above what the benchmark
/// sends, so every reservation is granted at once: this is the cost of the path every request takes, not of waiting.
/// </summary>
[HandlerJob]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class HandlerCostBenchmarks
{
    private static readonly (string Name, string Value)[] RateLimitHeaders =
    [
        ("x-ratelimit-limit-requests", "1000000000"),
        ("x-ratelimit-remaining-requests", "999999999"),
        ("x-ratelimit-reset-requests", "1ms"),
        ("x-ratelimit-limit-tokens", "10000000000"),
        ("x-ratelimit-remaining-tokens", "9999990000"),
        ("x-ratelimit-reset-tokens", "1ms"),
        ("x-request-id", "req_0123456789abcdef"),
    ];

    private byte[] _requestBody = null!;
    private HttpClient _plainInMemory = null!;
    private HttpClient _fastBucketInMemory = null!;
    private HttpClient _plainLoopback = null!;
    private HttpClient _fastBucketLoopback = null!;
    private LoopbackChatServer _server = null!;
    private QuotaRegistry _quotas = null!;

    /// <summary>The prompt's size in tokens (o200k_base, gpt-4o-mini's encoding).</summary>
    [Params(1_000, 10_000)]
    public int PromptTokens { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _requestBody = ChatRequest(PromptTokens);
        long counted = new TokenEstimator(new TokenEstimatorOptions(), calibrator: null).Estimate(LlmProvider.OpenAI, null, _requestBody).UncalibratedInputTokens;
        if (Math.Abs(counted - PromptTokens) > PromptTokens / 20)
        {
            throw new InvalidOperationException($"The prompt counts {counted} tokens, not about {PromptTokens}.");
        }

        byte[] responseBody = Encoding.UTF8.GetBytes(
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1741570283,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"The fox jumped over the dog, quickly and quietly.\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
            + $"\"usage\":{{\"prompt_tokens\":{counted},\"completion_tokens\":12,\"total_tokens\":{counted + 12}}},\"service_tier\":\"default\",\"system_fingerprint\":\"fp_0123456789\"}}");
        var headerText = new StringBuilder("Content-Type: application/json\r\n");
        foreach ((string name, string value) in RateLimitHeaders)
        {
            headerText.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        _server = new LoopbackChatServer(Encoding.ASCII.GetBytes(headerText.ToString()), responseBody);
        _quotas = new QuotaRegistry(new QuotaRegistryOptions
        {
            Limits = new QuotaLimits { RequestsPerMinute = 1_000_000_000, TokensPerMinute = 10_000_000_000 },
            DiscoverUnknownLimits = false,
        });
        var canned = new Uri("http://canned.invalid/v1/");
        _plainInMemory = new HttpClient(new CannedResponseHandler(responseBody, RateLimitHeaders)) { BaseAddress = canned };
        _fastBucketInMemory = new HttpClient(new FastBucketHandler(Options(), new CannedResponseHandler(responseBody, RateLimitHeaders))) { BaseAddress = canned };
        _plainLoopback = new HttpClient(new SocketsHttpHandler()) { BaseAddress = _server.BaseAddress };
        _fastBucketLoopback = new HttpClient(new FastBucketHandler(Options(), new SocketsHttpHandler())) { BaseAddress = _server.BaseAddress };

        foreach (var client in new[] { _plainInMemory, _fastBucketInMemory, _plainLoopback, _fastBucketLoopback })
        {
            SanityCheck.ExpectCount("chat completions answered", 1, SendAsync(client).GetAwaiter().GetResult() > 0 ? 1 : 0);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plainInMemory.Dispose();
        _fastBucketInMemory.Dispose();
        _plainLoopback.Dispose();
        _fastBucketLoopback.Dispose();
        _quotas.Dispose();
        _server.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("InMemory")]
    public Task<int> InMemory_Plain() => SendAsync(_plainInMemory);

    [Benchmark]
    [BenchmarkCategory("InMemory")]
    public Task<int> InMemory_FastBucket() => SendAsync(_fastBucketInMemory);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Loopback")]
    public Task<int> Loopback_Plain() => SendAsync(_plainLoopback);

    [Benchmark]
    [BenchmarkCategory("Loopback")]
    public Task<int> Loopback_FastBucket() => SendAsync(_fastBucketLoopback);

    private FastBucketHandlerOptions Options() => new() { Provider = LlmProvider.OpenAI, Quotas = _quotas, MaxRetryAttempts = 0 };

    private async Task<int> SendAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = new ByteArrayContent(_requestBody) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using HttpResponseMessage response = await client.SendAsync(request).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? (int)response.Content.Headers.ContentLength.GetValueOrDefault(1) : throw new InvalidOperationException($"HTTP {(int)response.StatusCode}");
    }

    /// <summary>A chat request whose user message is about <paramref name="tokens"/> o200k tokens of English prose.</summary>
    private static byte[] ChatRequest(int tokens)
    {
        // Thirteen o200k tokens per sentence.
        const string sentence = "The quick brown fox jumps over the lazy dog near the river. ";
        var prose = new StringBuilder();
        for (int i = 0; i < (tokens - 20) / 13; i++)
        {
            prose.Append(sentence);
        }

        return Encoding.UTF8.GetBytes(
            "{\"model\":\"gpt-4o-mini\",\"max_tokens\":64,\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},{\"role\":\"user\",\"content\":\""
            + prose + "\"}]}");
    }
}
