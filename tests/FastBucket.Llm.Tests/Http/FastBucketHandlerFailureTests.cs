using System.Net;
using System.Net.Sockets;
using System.Text;
using FastBucket.Http;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Quotas.Windows;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Http;

/// <summary>
/// Sends and bodies that fail part of the way, over real loopback HTTP: every reservation ends (no in-flight count
/// leaks) and ends with the charge the provider may have counted.
/// </summary>
public sealed class FastBucketHandlerFailureTests
{
    private const string ChatBody = """{"model":"gpt-4o-mini","max_tokens":40,"messages":[{"role":"user","content":"Say something short."}]}""";
    private const string MessagesBody = """{"model":"claude-sonnet-4-5","max_tokens":500,"stream":true,"messages":[{"role":"user","content":"Say something short."}]}""";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    // Continuous buckets: these tests read what was charged or given back, which OpenAI's one-second burst shape would hide.
    private static QuotaRegistry Quotas(QuotaLimits limits) =>
        new(new QuotaRegistryOptions { Limits = limits, BurstHeadroom = 0, DiscoverUnknownLimits = false, Windowing = _ => QuotaWindowing.Continuous, TimeProvider = new FakeTimeProvider(DateTimeOffset.UtcNow) });

    private static HttpClient Client(Uri baseAddress, QuotaRegistry quotas, LlmProvider provider = LlmProvider.OpenAI, TimeSpan? timeout = null) =>
        new(new FastBucketHandler(new FastBucketHandlerOptions { Provider = provider, Quotas = quotas, MaxRetryAttempts = 0 }, new SocketsHttpHandler()))
        {
            BaseAddress = baseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };

    private static HttpRequestMessage Post(string path, string body, string? mode)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (mode is not null)
        {
            request.Headers.Add(BrokenBodyServer.ModeHeader, mode);
        }

        return request;
    }

    private static async Task AssertNextRequestProceedsAsync(HttpClient client, ILlmQuota quota)
    {
        Assert.Equal(0, quota.InFlight);
        using var request = Post("chat/completions", ChatBody, mode: null);
        using var response = await client.SendAsync(request).WaitAsync(Generous);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, quota.InFlight);
    }

    [Fact]
    public async Task SendAsync_SuccessBodyBreaksMidway_ReservationEndsAndNextRequestProceeds()
    {
        await using var server = await BrokenBodyServer.StartAsync();
        using var quotas = Quotas(new QuotaLimits { MaxConcurrency = 1, TokensPerMinute = 100_000 });
        using var client = Client(server.BaseAddress, quotas);

        using (var request = Post("chat/completions", ChatBody, "abort"))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => client.SendAsync(request)).WaitAsync(Generous);
        }

        await AssertNextRequestProceedsAsync(client, quotas.Quotas.Single());
    }

    [Fact]
    public async Task SendAsync_CallerCancelsWhileBodyBuffers_ReservationEndsAndNextRequestProceeds()
    {
        await using var server = await BrokenBodyServer.StartAsync();
        using var quotas = Quotas(new QuotaLimits { MaxConcurrency = 1, TokensPerMinute = 100_000 });
        using var client = Client(server.BaseAddress, quotas);
        using var cts = new CancellationTokenSource();

        using (var request = Post("chat/completions", ChatBody, "stall"))
        {
            var sending = client.SendAsync(request, cts.Token);
            await server.Stalled.WaitAsync(Generous);
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending).WaitAsync(Generous);
        }

        await AssertNextRequestProceedsAsync(client, quotas.Quotas.Single());
    }

    [Fact]
    public async Task SendAsync_HttpClientTimeoutWhileBodyBuffers_ReservationEndsAndNextRequestProceeds()
    {
        await using var server = await BrokenBodyServer.StartAsync();
        using var quotas = Quotas(new QuotaLimits { MaxConcurrency = 1, TokensPerMinute = 100_000 });
        using var client = Client(server.BaseAddress, quotas, timeout: TimeSpan.FromSeconds(1));

        using (var request = Post("chat/completions", ChatBody, "stall"))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(request)).WaitAsync(Generous);
        }

        await AssertNextRequestProceedsAsync(client, quotas.Quotas.Single());
    }

    [Fact]
    public async Task SendAsync_ConnectionResetAfterRequestArrived_KeepsTheWholeCharge()
    {
        await using var server = await BrokenBodyServer.StartAsync();
        using var quotas = Quotas(new QuotaLimits { RequestsPerMinute = 100, TokensPerMinute = 100_000 });
        using var client = Client(server.BaseAddress, quotas);

        using (var request = Post("chat/completions", ChatBody, "reset"))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(request)).WaitAsync(Generous);
        }

        // The request reached the server, which may count it and may have generated: nothing is refunded.
        var quota = quotas.Quotas.Single();
        Assert.Equal(1, server.Requests);
        Assert.Equal(0, quota.InFlight);
        Assert.Equal(99, quota.Available(QuotaDimension.RequestsPerMinute));
        Assert.True(100_000 - quota.Available(QuotaDimension.TokensPerMinute) >= 40, "the reserved output was refunded");
    }

    [Fact]
    public async Task SendAsync_ConnectionRefused_GivesEverythingBack()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }

        using var quotas = Quotas(new QuotaLimits { RequestsPerMinute = 100, TokensPerMinute = 100_000 });
        using var client = Client(new Uri($"http://127.0.0.1:{port}/v1/"), quotas);

        using (var request = Post("chat/completions", ChatBody, mode: null))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(request)).WaitAsync(Generous);
        }

        // The request never left: it counts nowhere.
        var quota = quotas.Quotas.Single();
        Assert.Equal(0, quota.InFlight);
        Assert.Equal(100, quota.Available(QuotaDimension.RequestsPerMinute));
        Assert.Equal(100_000, quota.Available(QuotaDimension.TokensPerMinute));
    }

    [Fact]
    public async Task SendAsync_StreamAbandonedAfterPartialUsage_OutputReservedIsNotRefunded()
    {
        await using var server = await BrokenBodyServer.StartAsync();
        using var quotas = Quotas(new QuotaLimits { InputTokensPerMinute = 100_000, OutputTokensPerMinute = 100_000 });
        using var client = Client(server.BaseAddress, quotas, LlmProvider.Anthropic);

        using (var request = Post("messages", MessagesBody, "stream-stall"))
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Generous))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            // The caller reads the first text, then walks away (disposes) while the answer is still coming.
            var stream = await response.Content.ReadAsStreamAsync();
            var seen = new StringBuilder();
            var buffer = new byte[64];
            while (!seen.ToString().Contains("Hel", StringComparison.Ordinal))
            {
                int read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Generous);
                Assert.NotEqual(0, read);
                seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }

            Assert.Equal(1, quotas.Quotas.Single().InFlight);
        }

        // message_start said 1 output token so far; the stream broke before the final count: up to max_tokens may
        // have been generated, so the reserved 500 stay charged. The input it reported (40) is exact.
        var quota = quotas.Quotas.Single();
        Assert.Equal(0, quota.InFlight);
        Assert.Equal(100_000 - 500, quota.Available(QuotaDimension.OutputTokensPerMinute));
        Assert.Equal(100_000 - 40, quota.Available(QuotaDimension.InputTokensPerMinute));
    }
}
