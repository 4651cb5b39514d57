using System.Net;
using System.Net.Http.Json;
using FastBucket.Http;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Quotas.Windows;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Http;

/// <summary>A 429 keeps its request's charge and gives its tokens back (issue 14 item 9: providers count rejected requests).</summary>
public sealed class RateLimitChargeTests
{
    [Theory]
    [InlineData(LlmProvider.OpenAI)]
    [InlineData(LlmProvider.Groq)]
    [InlineData(LlmProvider.OpenRouter)]
    public async Task SendAsync_429_KeepsTheRequestAndRefundsTheTokens(LlmProvider provider)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var quotas = new QuotaRegistry(new QuotaRegistryOptions
        {
            TimeProvider = time,
            BurstHeadroom = 0,
            Windowing = _ => QuotaWindowing.Continuous,
            Limits = new QuotaLimits { RequestsPerMinute = 100, RequestsPerDay = 1_000, TokensPerMinute = 100_000 },
        });
        var handler = new FastBucketHandler(new FastBucketHandlerOptions { Provider = provider, Quotas = quotas, TimeProvider = time, MaxRetryAttempts = 0 }, new RejectingProvider());
        using var client = new HttpClient(handler) { BaseAddress = new Uri("http://127.0.0.1:9/v1/") };

        using var rejected = await client.PostAsJsonAsync("chat/completions", new { model = "gpt-4o-mini", max_tokens = 500, messages = new[] { new { role = "user", content = "a" } } });

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        var quota = quotas.Quotas.Single();
        Assert.Equal(99, quota.Available(QuotaDimension.RequestsPerMinute));
        Assert.Equal(999, quota.Available(QuotaDimension.RequestsPerDay));
        Assert.Equal(100_000, quota.Available(QuotaDimension.TokensPerMinute));
    }

    /// <summary>Every request gets a 429 naming a 1 s wait, its text naming no dimension.</summary>
    private sealed class RejectingProvider : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var limited = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
            {
                Content = new StringContent("""{"error":{"message":"Too many requests.","type":"rate_limit_error"}}"""),
            };
            limited.Headers.Add("retry-after", "1");
            return Task.FromResult(limited);
        }
    }
}
