using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FastBucket.Simulator.Accounting;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Simulator.Tests;

/// <summary>A started simulator with an HttpClient on its base address; disposing stops both.</summary>
internal sealed class RunningSimulator : IAsyncDisposable
{
    // 2025-08-21T12:41:00Z: a whole second, so absolute resets are easy to state.
    public static readonly DateTimeOffset Start = new(2025, 8, 21, 12, 41, 0, TimeSpan.Zero);

    private RunningSimulator(ProviderSimulator simulator, FakeTimeProvider time)
    {
        Simulator = simulator;
        Time = time;
        Client = new HttpClient { BaseAddress = simulator.BaseAddress };
    }

    public ProviderSimulator Simulator { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public SimulatorStatistics Statistics => Simulator.Statistics;

    /// <summary>Starts with seed 42, a fake clock at <see cref="Start"/>, no latency and generous limits unless configured otherwise.</summary>
    public static async Task<RunningSimulator> StartAsync(Action<SimulatorOptions>? configure = null)
    {
        var time = new FakeTimeProvider(Start);
        var options = new SimulatorOptions { Seed = 42, TimeProvider = time };
        options.RateLimits.SetAll(RateLimits.Parse("rpm=10000,tpm=10000000,itpm=10000000,otpm=10000000"));
        configure?.Invoke(options);
        return new RunningSimulator(await ProviderSimulator.StartAsync(options), time);
    }

    public Task<HttpResponseMessage> PostAsync(string path, string json, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        foreach ((string name, string value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return Client.SendAsync(request);
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        using JsonDocument document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? string.Join(",", values) : null;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Simulator.DisposeAsync();
    }
}
