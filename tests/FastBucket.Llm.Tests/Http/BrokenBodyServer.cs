using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FastBucket.Llm.Tests.Http;

/// <summary>
/// A loopback Kestrel server whose 2xx answers break while the body is on the way, chosen per request by the
/// <c>x-test-body</c> header: <c>abort</c> sends the headers and part of the body then resets the connection;
/// <c>stall</c> sends the headers and part of the body then sends nothing more; <c>stream-stall</c> sends a few SSE
/// events (a partial usage among them) then nothing more; <c>reset</c> resets the connection before any answer; anything else answers a whole chat completion with usage.
/// </summary>
internal sealed class BrokenBodyServer : IAsyncDisposable
{
    public const string ModeHeader = "x-test-body";

    private const string WholeBody = """{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}""";

    private readonly WebApplication _application;

    private BrokenBodyServer(WebApplication application, Uri baseAddress)
    {
        _application = application;
        BaseAddress = baseAddress;
    }

    /// <summary>The OpenAI-style root: <c>http://127.0.0.1:port/v1/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Completes when a <c>stall</c> answer has sent its headers and the first part of its body.</summary>
    public Task Stalled => _stalled.Task;

    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Requests received so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    private int _requests;

    public static async Task<BrokenBodyServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRoutingCore();
        WebApplication application = builder.Build();
        BrokenBodyServer? server = null;
        application.Run(context => server!.AnswerAsync(context));
        await application.StartAsync();
        string address = application.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new BrokenBodyServer(application, new Uri(address.TrimEnd('/') + "/v1/"));
        return server;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        string mode = context.Request.Headers[ModeHeader].ToString();
        context.Response.StatusCode = 200;
        switch (mode)
        {
            case "abort":
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = 4096;
                await context.Response.WriteAsync("{\"id\":\"c1\",\"choi", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                context.Abort();
                break;
            case "stall":
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = 4096;
                await context.Response.WriteAsync("{\"id\":\"c1\",\"choi", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                _stalled.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up.
                }

                break;
            case "reset":
                // The request arrived; the connection dies before any answer.
                context.Abort();
                break;
            case "stream-stall":
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync(
                    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":40,\"output_tokens\":1}}}\n\n"
                    + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n",
                    context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up.
                }

                break;
            default:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(WholeBody, context.RequestAborted);
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _application.StopAsync();
        await _application.DisposeAsync();
    }
}
