using System.Net;
using FastBucket.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.RateLimiting;

namespace FastBucket.Tests.RateLimiting;

/// <summary>The adapter in an <see cref="HttpClient"/> pipeline built with Microsoft.Extensions.Http.Resilience.</summary>
public sealed class HttpResilienceRateLimiterTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AddResilienceHandler_WithTheLimiter_SendsTheBurstQueuesOneAndRejectsTheRestWithTheExactRetryAfter()
    {
        var clock = new FakeTimeProvider();
        using var limiter = new FastBucketRateLimiter(new TokenBucketOptions
        {
            Capacity = 3,
            TokensPerPeriod = 60,
            RefillPeriod = TimeSpan.FromMinutes(1),
            TimeProvider = clock,
            MaxQueuedWaiters = 1,
        });
        var handler = new CountingHandler();
        var services = new ServiceCollection();
        services.AddHttpClient("llm", client => client.BaseAddress = new Uri("http://llm.test/"))
            .ConfigurePrimaryHttpMessageHandler(() => handler)
            .AddResilienceHandler("rate-limit", builder => builder.AddRateLimiter(limiter));
        await using var provider = services.BuildServiceProvider();
        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("llm");

        for (int i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync(new Uri("v1/chat", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var queued = client.GetAsync(new Uri("v1/chat", UriKind.Relative));
        var rejected = await Assert.ThrowsAsync<RateLimiterRejectedException>(() => client.GetAsync(new Uri("v1/chat", UriKind.Relative)));

        Assert.Equal(TimeSpan.FromSeconds(2), rejected.RetryAfter); // behind the queued request: 2 tokens at 1/s
        Assert.Equal(3, handler.Requests);
        Assert.False(queued.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        using (var response = await queued.WaitAsync(NoHang))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(4, handler.Requests);
    }
}
