using System.Net;
using System.Net.Http.Json;
using FastBucket.Http;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Quotas.Windows;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Http;

/// <summary>A 429's hold is in place before its reservation's end wakes the queue (issue 14 item 10).</summary>
public sealed class RateLimitHoldTests
{
    [Fact]
    public async Task SendAsync_429WhileAnotherWaits_WaiterStaysQueuedUntilTheServersWaitPassed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var quotas = new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = time, Limits = new QuotaLimits { RequestsPerMinute = 100, MaxConcurrency = 1 } });
        var provider = new ScriptedProvider();
        var handler = new FastBucketHandler(new FastBucketHandlerOptions { Provider = LlmProvider.OpenAI, Quotas = quotas, TimeProvider = time, MaxRetryAttempts = 0 }, provider);
        using var client = new HttpClient(handler) { BaseAddress = new Uri("http://127.0.0.1:9/v1/") };

        var first = client.PostAsJsonAsync("chat/completions", new { model = "gpt-4o-mini", max_tokens = 10, messages = new[] { new { role = "user", content = "a" } } });
        await provider.FirstArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var second = client.PostAsJsonAsync("chat/completions", new { model = "gpt-4o-mini", max_tokens = 10, messages = new[] { new { role = "user", content = "b" } } });
        var quota = quotas.Quotas.Single();
        await WaitUntil(() => quota.QueuedCount == 1);

        provider.ReleaseFirst.SetResult();
        using (var rejected = await first.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        }

        // Before the fix the refund woke the queue first: the waiter was granted and sent into the same 429.
        Assert.Equal(1, quota.QueuedCount);
        Assert.Equal(1, provider.Calls);
        Assert.False(second.IsCompleted);

        // The 429 keeps its request (issue 14 item 9), so the window the text named ("on requests per min") is full
        // until its lowering frees: the server's wait plus the margin every per-minute charge is kept past it.
        time.Advance(TimeSpan.FromSeconds(2) + WindowShape.DefaultExpiryMargin);
        using var admitted = await second.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.Equal(2, provider.Calls);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 3_000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    /// <summary>The first request waits for the test, then gets a 429 naming a 2 s wait; every later one succeeds.</summary>
    private sealed class ScriptedProvider : HttpMessageHandler
    {
        private int _calls;

        public TaskCompletionSource FirstArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ReleaseFirst { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls => Volatile.Read(ref _calls);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                FirstArrived.SetResult();
                await ReleaseFirst.Task.WaitAsync(cancellationToken);
                var limited = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
                {
                    Content = new StringContent("""{"error":{"message":"Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 100, Used 100, Requested 1. Please try again in 2s.","type":"requests","code":"rate_limit_exceeded"}}"""),
                };
                limited.Headers.Add("retry-after", "2");
                return limited;
            }

            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"id":"x","object":"chat.completion","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}"""),
            };
        }
    }
}
