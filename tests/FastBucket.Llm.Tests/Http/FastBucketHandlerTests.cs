using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FastBucket.Estimation;
using FastBucket.Http;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Http;

/// <summary>The handler over real loopback HTTP against the simulator, both on one fake clock.</summary>
public sealed class FastBucketHandlerTests
{
    private static object Chat(int i, bool stream = false) => new
    {
        model = "gpt-4o-mini",
        max_tokens = 40,
        stream,
        stream_options = stream ? new { include_usage = true } : null,
        messages = new[] { new { role = "user", content = $"Say something short about the number {i}." } },
    };

    private static async Task<(ProviderSimulator Simulator, FakeTimeProvider Time)> StartAsync(RateLimits limits, Action<SimulatorOptions>? configure = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new SimulatorOptions { Seed = 7, TimeProvider = time };
        options.RateLimits.SetAll(limits);
        configure?.Invoke(options);
        return (await ProviderSimulator.StartAsync(options), time);
    }

    private static HttpClient Client(ProviderSimulator simulator, FastBucketHandlerOptions options)
    {
        var client = new HttpClient(new FastBucketHandler(options, new SocketsHttpHandler()))
        {
            BaseAddress = new Uri(simulator.GetProviderBaseAddress(SimulatedProvider.OpenAI) + "/"),
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Authorization = new("Bearer", "sk-test");
        return client;
    }

    [Fact]
    public async Task SendAsync_LimitsConfigured_ManyConcurrentRequests_NoneRateLimited()
    {
        var (simulator, time) = await StartAsync(new RateLimits { RequestsPerMinute = 120, TokensPerMinute = 12_000 });
        await using var _ = simulator;
        using var quotas = new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = time, Limits = new QuotaLimits { RequestsPerMinute = 120, TokensPerMinute = 12_000 } });
        using var client = Client(simulator, new FastBucketHandlerOptions { Provider = LlmProvider.OpenAI, Quotas = quotas, TimeProvider = time });
        await using var pump = new FakeClockPump(time, TimeSpan.FromMilliseconds(100));

        var responses = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => client.PostAsJsonAsync("chat/completions", Chat(i))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.True(simulator.Statistics.RateLimited == 0, simulator.Statistics.ToString());
        Assert.Equal(300, simulator.Statistics.Admitted);
        var quota = quotas.Quotas.Single();
        Assert.Equal(0, quota.InFlight);
    }

    [Theory]
    [InlineData(EnforcementKind.TokenBucket, true)]
    [InlineData(EnforcementKind.FixedWindow, false)]
    [InlineData(EnforcementKind.SlidingLog, false)]
    public async Task SendAsync_ServerOfUnknownEnforcement_LearnsABucketOnlyFromABucketsResets(EnforcementKind enforcement, bool learned)
    {
        // The same headers (limit, remaining, reset) from three enforcements: only a bucket's reset is what was used
        // over the refill rate, and only it may be used whole.
        var (simulator, time) = await StartAsync(new RateLimits { RequestsPerMinute = 600, TokensPerMinute = 40_000 }, o =>
        {
            var accounting = new AccountingModel { Name = "test" };
            accounting[Simulator.Accounting.RateLimitDimension.RequestsPerMinute] = new DimensionAccounting { Enforcement = enforcement, Period = TimeSpan.FromSeconds(60) };
            accounting[Simulator.Accounting.RateLimitDimension.TokensPerMinute] = new DimensionAccounting { Enforcement = enforcement, Period = TimeSpan.FromSeconds(60) };
            o.Accounting = accounting;
        });
        await using var _ = simulator;
        using var quotas = new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = time, Limits = new QuotaLimits { RequestsPerMinute = 600, TokensPerMinute = 40_000 } });
        using var client = Client(simulator, new FastBucketHandlerOptions { Provider = LlmProvider.Generic, Quotas = quotas, TimeProvider = time });
        await using var pump = new FakeClockPump(time, TimeSpan.FromMilliseconds(100));

        var responses = await Task.WhenAll(Enumerable.Range(0, 150).Select(i => client.PostAsJsonAsync("chat/completions", Chat(i))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var quota = (LlmQuota)quotas.Quotas.Single();
        var window = Assert.IsType<FastBucket.Quotas.Windows.ShapeLearningWindow>(quota.Window(QuotaDimension.TokensPerMinute));
        Assert.True(window.IsBucket == learned, $"{enforcement}: {window}; {simulator.Statistics}");
        Assert.True(simulator.Statistics.RateLimited == 0, simulator.Statistics.ToString());
    }

    [Fact]
    public async Task SendAsync_DiscoveryMode_FewRateLimitedAndNoneSurfaced()
    {
        var (simulator, time) = await StartAsync(new RateLimits { RequestsPerMinute = 120, TokensPerMinute = 12_000 });
        await using var _ = simulator;
        using var quotas = new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = time, Catalog = FastBucket.Catalog.LimitsCatalog.Default, DiscoverUnknownLimits = true });
        using var client = Client(simulator, new FastBucketHandlerOptions { Provider = LlmProvider.OpenAI, Quotas = quotas, TimeProvider = time });
        // A model the catalog does not know: its limits must be discovered.
        await using var pump = new FakeClockPump(time, TimeSpan.FromMilliseconds(100));
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.PostAsJsonAsync("chat/completions", new
        {
            model = "gpt-simulated-unknown",
            max_tokens = 40,
            messages = new[] { new { role = "user", content = $"Question {i}" } },
        })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.InRange(simulator.Statistics.RateLimited, 0, 5);
        var quota = quotas.Quotas.Single();
        Assert.Equal(120, quota.Limits.RequestsPerMinute);
        Assert.Equal(12_000, quota.Limits.TokensPerMinute);
    }

    [Fact]
    public async Task SendAsync_Streaming_ReconcilesUsageWhileTheCallerReads()
    {
        var (simulator, time) = await StartAsync(new RateLimits { RequestsPerMinute = 1_000, TokensPerMinute = 100_000 });
        await using var _ = simulator;
        // Token buckets, so that the level reads back the charge whole (OpenAI's safe shape caps it at one second's burst).
        using var quotas = new QuotaRegistry(new QuotaRegistryOptions
        {
            TimeProvider = time,
            Limits = new QuotaLimits { RequestsPerMinute = 1_000, TokensPerMinute = 100_000 },
            Windowing = _ => FastBucket.Quotas.Windows.QuotaWindowing.Continuous,
        });
        // Settled to usage (OpenAI itself keeps the larger of input and max_tokens): the reconcile is what is tested.
        var estimator = new TokenEstimator(new TokenEstimatorOptions { TokensPerMinuteCharge = TokensPerMinuteCharge.InputAndOutputSettled }, null);
        using var client = Client(simulator, new FastBucketHandlerOptions { Provider = LlmProvider.OpenAI, Quotas = quotas, TimeProvider = time, Estimator = estimator });
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = JsonContent.Create(Chat(1, stream: true)) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var quota = quotas.Quotas.Single();
        Assert.Equal(1, quota.InFlight);
        long full = 100_000 - 1_000; // the registry holds 1% of each limit back from the burst
        long reserved = full - quota.Available(QuotaDimension.TokensPerMinute)!.Value;

        string body = await response.Content.ReadAsStringAsync();

        Assert.Contains("data: [DONE]", body, StringComparison.Ordinal);
        Assert.Equal(0, quota.InFlight);
        long charged = full - quota.Available(QuotaDimension.TokensPerMinute)!.Value;
        long used = simulator.Statistics.InputTokens + simulator.Statistics.OutputTokens;
        // The charge is the real usage; adopting the server's "remaining" (which counted its own admission estimate)
        // may have lowered the level by the few tokens our estimate differed from the server's, never more.
        Assert.InRange(charged, used, used + 3);
        Assert.True(charged < reserved, $"charged {charged} should be the real usage, below the {reserved} reserved");
    }

    [Fact]
    public async Task SendAsync_FaultsInjected_EveryRequestSucceedsOrFailsTyped()
    {
        var (simulator, time) = await StartAsync(new RateLimits { RequestsPerMinute = 10_000 }, o =>
        {
            o.Faults.InternalServerErrorRate = 0.1;
            o.Faults.ServiceUnavailableRate = 0.1;
            o.Faults.ConnectionResetRate = 0.05;
        });
        await using var _ = simulator;
        using var quotas = new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = time, Limits = new QuotaLimits { RequestsPerMinute = 10_000 } });
        using var client = Client(simulator, new FastBucketHandlerOptions { Provider = LlmProvider.OpenAI, Quotas = quotas, TimeProvider = time, BaseRetryDelay = TimeSpan.FromMilliseconds(10) });
        await using var pump = new FakeClockPump(time, TimeSpan.FromMilliseconds(50));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            try
            {
                using var response = await client.PostAsJsonAsync("chat/completions", Chat(i));
                return response.StatusCode.ToString();
            }
            catch (HttpRequestException)
            {
                return "connection";
            }
        }));

        Assert.All(outcomes, o => Assert.Contains(o, new[] { "OK", "InternalServerError", "ServiceUnavailable", "connection" }));
        Assert.True(outcomes.Count(o => o == "OK") >= 95, string.Join(",", outcomes.GroupBy(o => o).Select(g => $"{g.Key}={g.Count()}")));
        Assert.Equal(0, quotas.Quotas.Single().InFlight);
    }

    [Fact]
    public async Task SendAsync_CanceledWhileWaiting_ReleasesEverything()
    {
        var (simulator, time) = await StartAsync(new RateLimits { RequestsPerMinute = 1 });
        await using var _ = simulator;
        using var quotas = new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = time, Limits = new QuotaLimits { RequestsPerMinute = 1 } });
        using var client = Client(simulator, new FastBucketHandlerOptions { Provider = LlmProvider.OpenAI, Quotas = quotas, TimeProvider = time });
        (await client.PostAsJsonAsync("chat/completions", Chat(0))).Dispose();
        using var cts = new CancellationTokenSource();
        var waiting = client.PostAsJsonAsync("chat/completions", Chat(1), cts.Token);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        var quota = quotas.Quotas.Single();
        Assert.Equal(0, quota.InFlight);
        Assert.Equal(0, quota.QueuedCount);
        Assert.Equal(1, simulator.Statistics.Requests);
    }

    [Fact]
    public async Task SendAsync_InsufficientQuota_NotRetried_ThenFailsFast()
    {
        var (simulator, time) = await StartAsync(new RateLimits { RequestsPerMinute = 100 });
        await using var _ = simulator;
        using var quotas = new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = time, Limits = new QuotaLimits { RequestsPerMinute = 100 } });
        using var client = Client(simulator, new FastBucketHandlerOptions { Provider = LlmProvider.OpenAI, Quotas = quotas, TimeProvider = time });
        var handler = new FastBucketHandler(new FastBucketHandlerOptions { Provider = LlmProvider.OpenAI, Quotas = quotas, TimeProvider = time }, new InsufficientQuotaHandler());
        using var failing = new HttpClient(handler) { BaseAddress = new Uri("http://127.0.0.1:9/v1/") };

        using var first = await failing.PostAsJsonAsync("chat/completions", Chat(0));
        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Contains("insufficient_quota", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, handler.Retries);
        var ex = await Assert.ThrowsAsync<QuotaExhaustedException>(() => failing.PostAsJsonAsync("chat/completions", Chat(1)));
        Assert.Contains("insufficient_quota", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bytes")]
    [InlineData("string")]
    [InlineData("memory")]
    [InlineData("stream")]
    public async Task SendAsync_RetriedAfter429_EachAttemptCarriesTheWholeBody(string kind)
    {
        // Content over bytes in memory is sent again as it is (not buffered: that copied the whole body once more per
        // request); a one-shot stream is buffered, so that the retry can send it again.
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var pump = new FakeClockPump(time, TimeSpan.FromMilliseconds(100));
        using var quotas = new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = time, Limits = new QuotaLimits { RequestsPerMinute = 100 } });
        var inner = new RecordingHandler();
        using var client = new HttpClient(new FastBucketHandler(new FastBucketHandlerOptions { Provider = LlmProvider.OpenAI, Quotas = quotas, TimeProvider = time, MaxRetryAttempts = 2 }, inner))
        {
            BaseAddress = new Uri("http://127.0.0.1:9/v1/"),
        };
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(Chat(0));
        HttpContent content = kind switch
        {
            "bytes" => new ByteArrayContent(body),
            "string" => new StringContent(Encoding.UTF8.GetString(body)),
            "memory" => new ReadOnlyMemoryContent(body),
            _ => new StreamContent(new OneShotStream(body)),
        };
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync("chat/completions", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, inner.Bodies.Count);
        Assert.All(inner.Bodies, sent => Assert.Equal(body, sent));
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<byte[]> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bodies.Add(await request.Content!.ReadAsByteArrayAsync(cancellationToken));
            if (Bodies.Count == 1)
            {
                var limited = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
                {
                    Content = new StringContent("{\"error\":{\"message\":\"Rate limit reached. Please try again in 200ms.\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}"),
                };
                return limited;
            }

            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,\"total_tokens\":12}}", Encoding.UTF8, "application/json"),
            };
        }
    }

    /// <summary>A stream that can be read once, as a request body streamed from elsewhere.</summary>
    private sealed class OneShotStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();

        public override long Position
        {
            get => base.Position;
            set => throw new NotSupportedException();
        }
    }

    private sealed class InsufficientQuotaHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.TooManyRequests)
            {
                Content = new StringContent(JsonSerializer.Serialize(new { error = new { message = "You exceeded your current quota, please check your plan and billing details.", type = "insufficient_quota", param = (string?)null, code = "insufficient_quota" } })),
            });
    }
}
