using System.Net;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Faults;
using FastBucket.Simulator.Generation;
using FastBucket.Simulator.Http;
using FastBucket.Simulator.Latency;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FastBucket.Simulator;

/// <summary>
/// A loopback HTTP server that behaves like the OpenAI, Anthropic, Gemini, OpenRouter and Azure OpenAI APIs:
/// real request and response shapes (streaming included), usage in every response, per-(API key, model)
/// rate-limit accounting of its own with each provider's headers and 429 bodies, latency and injected faults.
/// </summary>
/// <example>
/// <code>
/// await using var simulator = await ProviderSimulator.StartAsync(new SimulatorOptions { Seed = 1 });
/// var client = new ChatClient("gpt-4o-mini", new ApiKeyCredential("sk-test"),
///     new OpenAIClientOptions { Endpoint = simulator.GetProviderBaseAddress(SimulatedProvider.OpenAI) });
/// </code>
/// </example>
public sealed class ProviderSimulator : IAsyncDisposable
{
    private readonly WebApplication _application;
    private int _disposed;

    private ProviderSimulator(WebApplication application, Uri baseAddress, SimulatorStatistics statistics)
    {
        _application = application;
        BaseAddress = baseAddress;
        Statistics = statistics;
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:54321/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>What the simulator has seen and done.</summary>
    public SimulatorStatistics Statistics { get; }

    /// <summary>Starts a simulator.</summary>
    /// <param name="options">How it listens and behaves; copied, so later changes have no effect.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running simulator; dispose it to stop it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or one of its parts is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range (the message names it and the range).</exception>
    /// <exception cref="IOException">The port is taken.</exception>
    public static async Task<ProviderSimulator> StartAsync(SimulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        TimeProvider time = options.TimeProvider;
        var log = new ChargeLog(time, options.ChargeLogCapacity);
        var statistics = new SimulatorStatistics(log);
        var settings = new GenerationSettings(options.MinOutputTokens, options.DefaultMaxOutputTokens, options.TokensPerChunk, options.MinOutputShare);
        var ledger = new RateLimitLedger(options.RateLimits, time, log, options.Accounting);
        var processor = new RequestProcessor(
            ledger,
            ledger.Accounting,
            statistics,
            new FaultInjector(options.Faults),
            new LatencyModel(options.Latency),
            settings,
            time,
            options.Seed ?? Random.Shared.Next());

        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ProviderSimulator).Assembly.GetName().Name,
        });
        int port = options.Port;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        builder.Services.AddRoutingCore();
        if (options.EnableLogging)
        {
            builder.Logging.AddConsole();
        }

        WebApplication application = builder.Build();
        SimulatorRoutes.Map(application, processor, settings);
        try
        {
            await application.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await application.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        string address = application.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel started without reporting the address it listens on.");
        return new ProviderSimulator(application, new Uri(address.TrimEnd('/') + "/"), statistics);
    }

    /// <summary>
    /// The base address a provider's SDK takes as its endpoint: <c>{root}/v1</c> for OpenAI, <c>{root}/api/v1</c>
    /// for OpenRouter, the root itself for Anthropic, Gemini and Azure OpenAI (their SDKs add the version path).
    /// </summary>
    /// <param name="provider">The provider.</param>
    /// <returns>The address.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="provider"/> is not a defined value.</exception>
    public Uri GetProviderBaseAddress(SimulatedProvider provider) => provider switch
    {
        SimulatedProvider.OpenAI => new Uri(BaseAddress, "v1"),
        SimulatedProvider.OpenRouter => new Uri(BaseAddress, "api/v1"),
        SimulatedProvider.Anthropic or SimulatedProvider.Gemini or SimulatedProvider.AzureOpenAI => BaseAddress,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown provider."),
    };

    /// <summary>Stops accepting requests and waits for those in flight, up to the token's cancellation.</summary>
    /// <param name="cancellationToken">Ends the graceful wait.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default) => _application.StopAsync(cancellationToken);

    /// <summary>Stops the server and releases the port.</summary>
    /// <returns>A task that completes when the server is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _application.StopAsync(grace.Token).ConfigureAwait(false);
        await _application.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The server's root address, for printing.</summary>
    /// <returns>The address.</returns>
    public override string ToString() => BaseAddress.ToString();
}
