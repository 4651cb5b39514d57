using System.ClientModel;
using FastBucket.Http;
using FastBucket.OpenAI;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;
using Microsoft.Extensions.Time.Testing;
using OpenAI;
using OpenAI.Chat;

namespace FastBucket.Llm.Tests.OpenAI;

/// <summary>The official OpenAI .NET SDK, pointed at the simulator, with FastBucket as its transport.</summary>
public sealed class OpenAISdkTests
{
    [Fact]
    public async Task ChatClient_200ConcurrentRequests_NoRateLimitReachesTheCaller()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var simulatorOptions = new SimulatorOptions { Seed = 3, TimeProvider = time };
        simulatorOptions.RateLimits.SetAll(new RateLimits { RequestsPerMinute = 150, TokensPerMinute = 15_000 });
        await using var simulator = await ProviderSimulator.StartAsync(simulatorOptions);
        using var quotas = new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = time, Limits = new QuotaLimits { RequestsPerMinute = 150, TokensPerMinute = 15_000 } });

        var options = new OpenAIClientOptions { Endpoint = simulator.GetProviderBaseAddress(SimulatedProvider.OpenAI) }
            .UseFastBucket(new FastBucketHandlerOptions { Provider = LlmProvider.OpenAI, Quotas = quotas, TimeProvider = time });
        var client = new ChatClient("gpt-4o-mini", new ApiKeyCredential("sk-test-sdk"), options);
        // 25 ms of fake time per real millisecond: fast, yet the time a request spends between leaving the quota and
        // reaching the server stays small against the refill interval, as it is on a real network.
        await using var pump = new Http.FakeClockPump(time, TimeSpan.FromMilliseconds(25));

        var completions = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.CompleteChatAsync(
            [new UserChatMessage($"Tell me one fact about {i}.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 30 })));

        Assert.All(completions, c => Assert.False(string.IsNullOrEmpty(c.Value.Content[0].Text)));
        Assert.All(completions, c => Assert.True(c.Value.Usage.TotalTokenCount > 0));
        Assert.True(simulator.Statistics.RateLimited == 0, $"429s: requests {simulator.Statistics.RateLimitedBy(FastBucket.Simulator.Accounting.RateLimitDimension.RequestsPerMinute)}, tokens {simulator.Statistics.RateLimitedBy(FastBucket.Simulator.Accounting.RateLimitDimension.TokensPerMinute)}");
        Assert.Equal(200, simulator.Statistics.Admitted);
    }
}
