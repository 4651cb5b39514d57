using Anthropic;
using Anthropic.Models.Messages;
using FastBucket.Http;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;
using Microsoft.Extensions.Time.Testing;
using SimulatorDimension = FastBucket.Simulator.Accounting.RateLimitDimension;

namespace FastBucket.Llm.Tests.Anthropic;

/// <summary>The official Anthropic .NET SDK, pointed at the simulator's Messages API, with FastBucketHandler as its transport.</summary>
public sealed class AnthropicSdkTests
{
    private const int Rpm = 120;
    private const int Itpm = 6_000;
    private const int Otpm = 3_000;

    [Fact]
    public async Task MessagesCreate_150ConcurrentRequests_NoRateLimitAtTheServer()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var simulator = await StartSimulatorAsync(time);
        using var quotas = Quotas(time);
        using var http = new HttpClient(new FastBucketHandler(new FastBucketHandlerOptions { Provider = LlmProvider.Anthropic, Quotas = quotas, TimeProvider = time }, new SocketsHttpHandler()));
        var client = Client(simulator, http);
        await using var pump = new Http.FakeClockPump(time, TimeSpan.FromMilliseconds(25));

        var messages = await Task.WhenAll(Enumerable.Range(0, 150).Select(i => client.Messages.Create(Request(i))));

        Assert.All(messages, m => Assert.True(m.Usage.OutputTokens > 0));
        Assert.All(messages, m => Assert.NotEmpty(m.Content));
        Assert.True(simulator.Statistics.RateLimited == 0, RateLimitedSummary(simulator));
        Assert.Equal(150, simulator.Statistics.Admitted);
        var quota = Assert.Single(quotas.Quotas);
        Assert.Equal(new QuotaKey(LlmProvider.Anthropic, "claude-haiku-4-5"), quota.Key);
        Assert.Equal(0, quota.InFlight);
    }

    [Fact]
    public async Task MessagesCreateStreaming_100ConcurrentStreams_UsageReconciledAndNoRateLimitAtTheServer()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var simulator = await StartSimulatorAsync(time);
        using var quotas = Quotas(time);
        var estimator = new ReconcileCountingEstimator();
        using var http = new HttpClient(new FastBucketHandler(new FastBucketHandlerOptions { Provider = LlmProvider.Anthropic, Quotas = quotas, TimeProvider = time, Estimator = estimator }, new SocketsHttpHandler()));
        var client = Client(simulator, http);
        await using var pump = new Http.FakeClockPump(time, TimeSpan.FromMilliseconds(25));

        var outputs = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            long output = 0;
            int events = 0;
            await foreach (var streamEvent in client.Messages.CreateStreaming(Request(i)))
            {
                events++;
                if (streamEvent.TryPickDelta(out var delta))
                {
                    output = delta.Usage.OutputTokens;
                }
            }

            return (events, output);
        }));

        Assert.All(outputs, o => Assert.True(o.events > 2));
        Assert.All(outputs, o => Assert.True(o.output > 0, "every stream ends with message_delta usage"));
        Assert.True(simulator.Statistics.RateLimited == 0, RateLimitedSummary(simulator));
        Assert.Equal(100, simulator.Statistics.Admitted);
        // Every reservation was reconciled from the stream's usage as the SDK read it: none is left in flight.
        Assert.Equal(100, estimator.Reconciled);
        Assert.Equal(0, Assert.Single(quotas.Quotas).InFlight);
    }

    private static MessageCreateParams Request(int i) => new()
    {
        Model = "claude-haiku-4-5",
        MaxTokens = 20,
        Messages = [new UserMessageParam { Content = $"Tell me one fact about {i}." }],
    };

    private static AnthropicClient Client(ProviderSimulator simulator, HttpClient http) => new()
    {
        ApiKey = "sk-ant-test-sdk",
        BaseUrl = simulator.GetProviderBaseAddress(SimulatedProvider.Anthropic).ToString().TrimEnd('/'),
        HttpClient = http,
    };

    private static async Task<ProviderSimulator> StartSimulatorAsync(FakeTimeProvider time)
    {
        var options = new SimulatorOptions { Seed = 7, TimeProvider = time };
        options.RateLimits.SetAll(new RateLimits { RequestsPerMinute = Rpm, InputTokensPerMinute = Itpm, OutputTokensPerMinute = Otpm });
        return await ProviderSimulator.StartAsync(options);
    }

    private static QuotaRegistry Quotas(FakeTimeProvider time) => new(new QuotaRegistryOptions
    {
        TimeProvider = time,
        Limits = new QuotaLimits { RequestsPerMinute = Rpm, InputTokensPerMinute = Itpm, OutputTokensPerMinute = Otpm },
    });

    private static string RateLimitedSummary(ProviderSimulator simulator) =>
        $"429s: requests {simulator.Statistics.RateLimitedBy(SimulatorDimension.RequestsPerMinute)}, input {simulator.Statistics.RateLimitedBy(SimulatorDimension.InputTokensPerMinute)}, output {simulator.Statistics.RateLimitedBy(SimulatorDimension.OutputTokensPerMinute)}";
}
