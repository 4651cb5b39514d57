using System.Net;
using System.Text;
using FastBucket.Estimation;
using FastBucket.Extensions.AI.Tests.Infrastructure;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Quotas.Windows;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Extensions.AI.Tests;

/// <summary>How <see cref="FastBucketChatClient"/> ends each reservation, over an inner client whose answers the test writes.</summary>
public sealed class FastBucketChatClientUsageTests : IDisposable
{
    private const long Rpm = 100;
    private const long Tpm = 10_000;
    private static readonly RequestCost Cost = new(1, 100, 50);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly QuotaRegistry _quotas;
    private readonly FixedEstimator _estimator = new(Cost);

    public FastBucketChatClientUsageTests() =>
        _quotas = new QuotaRegistry(new QuotaRegistryOptions
        {
            TimeProvider = _time,
            BurstHeadroom = 0,
            // Continuous buckets: these tests read what was charged or given back, which OpenAI's one-second burst shape would hide.
            Windowing = _ => QuotaWindowing.Continuous,
            Limits = new QuotaLimits { RequestsPerMinute = Rpm, TokensPerMinute = Tpm },
        });

    private ILlmQuota Quota => _quotas.GetOrCreate(new QuotaKey(LlmProvider.OpenAI, "gpt-4o-mini"));

    private long TokensLeft => Quota.Available(QuotaDimension.TokensPerMinute)!.Value;

    private long RequestsLeft => Quota.Available(QuotaDimension.RequestsPerMinute)!.Value;

    public void Dispose() => _quotas.Dispose();

    [Fact]
    public async Task GetResponseAsync_UsageReported_ChargesTheReportedTokensAndCalibrates()
    {
        using var client = Build(new ScriptedChatClient { Respond = () => Response(new UsageDetails { InputTokenCount = 30, OutputTokenCount = 20 }) });

        await client.GetResponseAsync("Tell me a fact.");

        Assert.Equal(Tpm - 50, TokensLeft);
        Assert.Equal(Rpm - 1, RequestsLeft);
        Assert.Equal([new TokenUsage(30, 20)], _estimator.Reconciled);
        Assert.Equal(0, Quota.InFlight);
    }

    [Fact]
    public async Task GetResponseAsync_WhileTheCallRuns_TheEstimateIsReserved()
    {
        long during = -1;
        using var client = Build(new ScriptedChatClient { Respond = () => { during = TokensLeft; return Response(null); } });

        await client.GetResponseAsync("Tell me a fact.");

        Assert.Equal(Tpm - Cost.TotalTokens, during);
    }

    [Fact]
    public async Task GetResponseAsync_NoUsage_KeepsTheReservedCharge()
    {
        using var client = Build(new ScriptedChatClient { Respond = () => Response(null) });

        await client.GetResponseAsync("Tell me a fact.");

        Assert.Equal(Tpm - Cost.TotalTokens, TokensLeft);
        Assert.Empty(_estimator.Reconciled);
        Assert.Equal(0, Quota.InFlight);
    }

    [Fact]
    public async Task GetResponseAsync_OnlyTotalReported_ChargesTheTotal()
    {
        using var client = Build(new ScriptedChatClient { Respond = () => Response(new UsageDetails { TotalTokenCount = 70 }) });

        await client.GetResponseAsync("Tell me a fact.");

        Assert.Equal(Tpm - 70, TokensLeft);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_UsageContentInUpdates_ChargesTheReportedTokens()
    {
        using var client = Build(new ScriptedChatClient
        {
            Updates = [Text("Hello"), Text(" world"), new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 30, OutputTokenCount = 20 })])],
        });

        var text = new StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync("Say hello."))
        {
            text.Append(update.Text);
        }

        Assert.Equal("Hello world", text.ToString());
        Assert.Equal(Tpm - 50, TokensLeft);
        Assert.Equal([new TokenUsage(30, 20)], _estimator.Reconciled);
        Assert.Equal(0, Quota.InFlight);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_NoUsageContent_KeepsTheReservedCharge()
    {
        using var client = Build(new ScriptedChatClient { Updates = [Text("Hello"), Text(" world")] });

        await foreach (var _ in client.GetStreamingResponseAsync("Say hello."))
        {
        }

        Assert.Equal(Tpm - Cost.TotalTokens, TokensLeft);
        Assert.Equal(0, Quota.InFlight);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CallerStopsReadingEarly_ChargesTheInputAndTheOutputReceived()
    {
        using var client = Build(new ScriptedChatClient { Updates = [Text("Hello"), Text(" world"), Text(" and more")] });

        await foreach (var _ in client.GetStreamingResponseAsync("Say hello."))
        {
            break;
        }

        // "Hello" is one o200k_base token; the rest of the 50 reserved output tokens were never sent.
        Assert.Equal(Tpm - (Cost.InputTokens + 1), TokensLeft);
        Assert.Equal(0, Quota.InFlight);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StreamBreaksMidway_ChargesTheInputAndTheOutputReceivedAndRethrows()
    {
        using var client = Build(new ScriptedChatClient { Updates = [Text("Hello"), Text(" world")], Throw = new IOException("connection reset"), ThrowAfterUpdates = 1 });

        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync("Say hello."))
            {
            }
        });

        Assert.Equal("connection reset", error.Message);
        Assert.Equal(Tpm - (Cost.InputTokens + 1), TokensLeft);
        Assert.Equal(0, Quota.InFlight);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CanceledBeforeTheFirstUpdate_KeepsTheRequestAndRefundsTheTokens()
    {
        using var client = Build(new ScriptedChatClient { Updates = [Text("Hello")], Throw = new OperationCanceledException(), ThrowAfterUpdates = 0 });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync("Say hello."))
            {
            }
        });

        Assert.Equal(Tpm, TokensLeft);
        Assert.Equal(Rpm - 1, RequestsLeft);
        Assert.Equal(0, Quota.InFlight);
    }

    [Fact]
    public async Task GetResponseAsync_CanceledDuringTheCall_KeepsTheRequestAndRefundsTheTokens()
    {
        using var client = Build(new ScriptedChatClient { Throw = new OperationCanceledException() });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("Tell me a fact."));

        Assert.Equal(Tpm, TokensLeft);
        Assert.Equal(Rpm - 1, RequestsLeft);
    }

    [Fact]
    public async Task GetResponseAsync_CanceledBeforeTheCall_ReservesNothingAndNeverCallsTheInnerClient()
    {
        var inner = new ScriptedChatClient { Respond = () => Response(null) };
        using var client = Build(inner);
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("Tell me a fact.", cancellationToken: canceled.Token));

        Assert.Equal(0, inner.Calls);
        Assert.Equal(Tpm, TokensLeft);
        Assert.Equal(Rpm, RequestsLeft);
    }

    [Fact]
    public async Task GetResponseAsync_CanceledWhileWaitingForRoom_ReservesNothingAndNeverCallsTheInnerClient()
    {
        var inner = new ScriptedChatClient { Respond = () => Response(null) };
        using var client = Build(inner);
        Assert.True(Quota.TryReserve(new RequestCost(1, Tpm - 10, 0), out var filler, out _));
        using var cancel = new CancellationTokenSource();

        var call = client.GetResponseAsync("Tell me a fact.", cancellationToken: cancel.Token);
        Assert.False(call.IsCompleted);
        Assert.Equal(1, Quota.QueuedCount);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        Assert.Equal(0, inner.Calls);
        Assert.Equal(0, Quota.QueuedCount);
        Assert.Equal(10, TokensLeft);
        Assert.Equal(Rpm - 1, RequestsLeft);
        filler.Cancel();
    }

    [Fact]
    public async Task GetResponseAsync_InnerThrowsHttpRequestException429_KeepsTheRequestRefundsTheTokensAndHoldsTheQuotaClosed()
    {
        using var client = Build(new ScriptedChatClient { Throw = new HttpRequestException("Too Many Requests", null, HttpStatusCode.TooManyRequests) });

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("Tell me a fact."));

        // Providers count rejected requests (OpenAI: "unsuccessful requests contribute to your per-minute limit").
        Assert.Equal(Tpm, TokensLeft);
        Assert.Equal(Rpm - 1, RequestsLeft);
        Assert.False(Quota.TryReserve(Cost, out _, out var retryAfter));
        Assert.True(retryAfter > TimeSpan.Zero);

        // The hold ends after the provider's wait (none was named: the default hold).
        _time.Advance(retryAfter);
        Assert.True(Quota.TryReserve(Cost, out var reservation, out _));
        reservation.Cancel();
    }

    [Fact]
    public async Task GetResponseAsync_InnerThrowsAnotherHttpError_KeepsTheRequestAndRefundsTheTokens()
    {
        using var client = Build(new ScriptedChatClient { Throw = new HttpRequestException("Bad Gateway", null, HttpStatusCode.BadGateway) });

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("Tell me a fact."));

        Assert.Equal(Tpm, TokensLeft);
        Assert.Equal(Rpm - 1, RequestsLeft);
        Assert.True(Quota.TryReserve(Cost, out var reservation, out _));
        reservation.Cancel();
    }

    [Fact]
    public async Task GetResponseAsync_WithTheLibraryEstimator_ReservesWhatTheEquivalentRequestBodyCosts()
    {
        var estimator = new TokenEstimator(new TokenEstimatorOptions(), calibrator: null);
        long during = -1;
        var inner = new ScriptedChatClient { Respond = () => { during = TokensLeft; return Response(null); } };
        using var client = new ChatClientBuilder(inner).UseFastBucket(o => { o.Quotas = _quotas; o.Estimator = estimator; }).Build();

        await client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, "You are terse."), new ChatMessage(ChatRole.User, "Tell me a fact about owls.")],
            new ChatOptions { MaxOutputTokens = 77 });

        var expected = estimator.Estimate(
            LlmProvider.OpenAI,
            "gpt-4o-mini",
            """{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Tell me a fact about owls."}],"max_completion_tokens":77}"""u8);
        Assert.Equal(TokenEstimateMethod.Exact, expected.Method);
        Assert.Equal(77, expected.Cost.OutputTokens);
        Assert.Equal(Tpm - expected.Cost.TokensPerMinuteCharge, during); // OpenAI: the larger of input and max_tokens
    }

    [Fact]
    public async Task GetResponseAsync_AnthropicMetadata_ReservesOnTheAnthropicQuotaOfTheRequestedModelWithAnAnthropicBody()
    {
        var inner = new ScriptedChatClient { Metadata = new ChatClientMetadata("anthropic", null, "claude-sonnet-4-5"), Respond = () => Response(null) };
        using var client = Build(inner);

        await client.GetResponseAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { ModelId = "claude-haiku-4-5", MaxOutputTokens = 10 });

        var (provider, model, body) = Assert.Single(_estimator.Estimated);
        Assert.Equal(LlmProvider.Anthropic, provider);
        Assert.Equal("claude-haiku-4-5", model);
        Assert.Contains("\"system\":\"Be brief.\"", body, StringComparison.Ordinal);
        Assert.Contains("\"max_tokens\":10", body, StringComparison.Ordinal);
        Assert.Contains(_quotas.Quotas, q => q.Key == new QuotaKey(LlmProvider.Anthropic, "claude-haiku-4-5"));
    }

    private IChatClient Build(IChatClient inner) =>
        new ChatClientBuilder(inner).UseFastBucket(o => { o.Quotas = _quotas; o.Estimator = _estimator; o.TimeProvider = _time; }).Build();

    private static ChatResponse Response(UsageDetails? usage) => new(new ChatMessage(ChatRole.Assistant, "Owls can rotate their heads 270 degrees.")) { Usage = usage };

    private static ChatResponseUpdate Text(string text) => new(ChatRole.Assistant, text);
}
