using System.ClientModel;
using System.ClientModel.Primitives;
using FastBucket.Llm.Tests.Http;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;
using RateLimitDimension = FastBucket.Simulator.Accounting.RateLimitDimension;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using OpenAI;

namespace FastBucket.Extensions.AI.Tests;

/// <summary>Microsoft.Extensions.AI.OpenAI's clients over the official OpenAI SDK, pointed at the simulator, with FastBucket as middleware.</summary>
public sealed class OpenAISimulatorTests
{
    private const int Rpm = 150;
    private const int Tpm = 15_000;

    [Fact]
    public async Task ChatClient_300ConcurrentCalls_NoRateLimitAtTheServer()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var simulator = await StartSimulatorAsync(time);
        using var quotas = Quotas(time);
        using var client = ChatClient(simulator, quotas, time);
        await using var pump = new FakeClockPump(time, TimeSpan.FromMilliseconds(25));

        var responses = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => client.GetResponseAsync(
            $"Tell me one fact about {i}.", new ChatOptions { MaxOutputTokens = 30 })));

        Assert.All(responses, r => Assert.False(string.IsNullOrEmpty(r.Text)));
        Assert.All(responses, r => Assert.True(r.Usage?.TotalTokenCount > 0));
        Assert.True(simulator.Statistics.RateLimited == 0, RateLimitedSummary(simulator));
        Assert.Equal(300, simulator.Statistics.Admitted);
        var quota = Assert.Single(quotas.Quotas);
        Assert.Equal(new QuotaKey(LlmProvider.OpenAI, "gpt-4o-mini"), quota.Key);
        Assert.Equal(0, quota.InFlight);
    }

    [Fact]
    public async Task ChatClient_200ConcurrentStreamingCalls_UsageArrivesAndNoRateLimitAtTheServer()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var simulator = await StartSimulatorAsync(time);
        using var quotas = Quotas(time);
        using var client = ChatClient(simulator, quotas, time);
        await using var pump = new FakeClockPump(time, TimeSpan.FromMilliseconds(25));

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            string text = string.Empty;
            UsageDetails? usage = null;
            await foreach (var update in client.GetStreamingResponseAsync($"Tell me one fact about {i}.", new ChatOptions { MaxOutputTokens = 30 }))
            {
                text += update.Text;
                usage = update.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
            }

            return (text, usage);
        }));

        Assert.All(results, r => Assert.False(string.IsNullOrEmpty(r.text)));
        Assert.All(results, r => Assert.True(r.usage?.OutputTokenCount > 0, "every stream ends with its usage"));
        Assert.True(simulator.Statistics.RateLimited == 0, RateLimitedSummary(simulator));
        Assert.Equal(200, simulator.Statistics.Admitted);
        Assert.Equal(0, Assert.Single(quotas.Quotas).InFlight);
    }

    [Fact]
    public async Task EmbeddingGenerator_300ConcurrentCalls_NoRateLimitAtTheServer()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var simulator = await StartSimulatorAsync(time);
        using var quotas = Quotas(time);
        var options = new OpenAIClientOptions { Endpoint = simulator.GetProviderBaseAddress(SimulatedProvider.OpenAI) };
        using var generator = new global::OpenAI.Embeddings.EmbeddingClient("text-embedding-3-small", new ApiKeyCredential("sk-test-meai"), options)
            .AsIEmbeddingGenerator()
            .AsBuilder()
            .UseFastBucket(o => { o.Quotas = quotas; o.TimeProvider = time; })
            .Build();
        await using var pump = new FakeClockPump(time, TimeSpan.FromMilliseconds(25));

        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => generator.GenerateAsync(
            [$"The first sentence to embed, number {i}.", $"And a second one about owls, number {i}."])));

        Assert.All(results, r => Assert.Equal(2, r.Count));
        Assert.All(results, r => Assert.True(r.Usage?.InputTokenCount > 0));
        Assert.True(simulator.Statistics.RateLimited == 0, RateLimitedSummary(simulator));
        Assert.Equal(300, simulator.Statistics.Admitted);
        var quota = Assert.Single(quotas.Quotas);
        Assert.Equal(new QuotaKey(LlmProvider.OpenAI, "text-embedding-3-small"), quota.Key);
    }

    [Fact]
    public async Task ChatClient_ServerAnswers429ThroughTheSdksException_QuotaHoldsForTheServersWait()
    {
        // The server allows one request a minute; the middleware is told nothing of that, so the second call gets a
        // 429 that the SDK (its retries off) throws as a ClientResultException with the response's headers.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var simulatorOptions = new SimulatorOptions { Seed = 5, TimeProvider = time };
        simulatorOptions.RateLimits.SetAll(new RateLimits { RequestsPerMinute = 1 });
        await using var simulator = await ProviderSimulator.StartAsync(simulatorOptions);
        using var quotas = new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = time, Limits = new QuotaLimits { RequestsPerMinute = 1_000 } });
        var sdkOptions = new OpenAIClientOptions
        {
            Endpoint = simulator.GetProviderBaseAddress(SimulatedProvider.OpenAI),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        using var client = new global::OpenAI.Chat.ChatClient("gpt-4o-mini", new ApiKeyCredential("sk-test-meai"), sdkOptions)
            .AsIChatClient()
            .AsBuilder()
            .UseFastBucket(o => { o.Quotas = quotas; o.TimeProvider = time; })
            .Build();

        await client.GetResponseAsync("First.", new ChatOptions { MaxOutputTokens = 10 });
        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync("Second.", new ChatOptions { MaxOutputTokens = 10 }));

        Assert.Equal(429, error.Status);
        Assert.Equal(1, simulator.Statistics.RateLimited);
        var quota = Assert.Single(quotas.Quotas);
        // What only the exception's response carried: the limit header, and a hold of the server's Retry-After (60 s),
        // far longer than the one-second hold a 429 without a wait gets.
        Assert.Equal(1, quota.Limits.RequestsPerMinute);
        Assert.False(quota.TryReserve(new RequestCost(1, 1, 1), out _, out var retryAfter));
        Assert.True(retryAfter >= TimeSpan.FromSeconds(59), $"held for {retryAfter}");
        // Learning a limit 1,000 times smaller must not turn the old capacity's charge into hours of debt: the
        // account frees its one request a minute, so the wait is about a minute, not the old burst's worth.
        Assert.True(retryAfter <= TimeSpan.FromMinutes(2), $"held for {retryAfter}");
    }

    private static async Task<ProviderSimulator> StartSimulatorAsync(FakeTimeProvider time)
    {
        var options = new SimulatorOptions { Seed = 3, TimeProvider = time };
        options.RateLimits.SetAll(new RateLimits { RequestsPerMinute = Rpm, TokensPerMinute = Tpm });
        return await ProviderSimulator.StartAsync(options);
    }

    private static QuotaRegistry Quotas(FakeTimeProvider time) =>
        new(new QuotaRegistryOptions { TimeProvider = time, Limits = new QuotaLimits { RequestsPerMinute = Rpm, TokensPerMinute = Tpm } });

    private static IChatClient ChatClient(ProviderSimulator simulator, QuotaRegistry quotas, TimeProvider time)
    {
        var options = new OpenAIClientOptions { Endpoint = simulator.GetProviderBaseAddress(SimulatedProvider.OpenAI) };
        return new global::OpenAI.Chat.ChatClient("gpt-4o-mini", new ApiKeyCredential("sk-test-meai"), options)
            .AsIChatClient()
            .AsBuilder()
            .UseFastBucket(o => { o.Quotas = quotas; o.TimeProvider = time; })
            .Build();
    }

    private static string RateLimitedSummary(ProviderSimulator simulator) =>
        $"429s: requests {simulator.Statistics.RateLimitedBy(RateLimitDimension.RequestsPerMinute)}, tokens {simulator.Statistics.RateLimitedBy(RateLimitDimension.TokensPerMinute)}";
}
