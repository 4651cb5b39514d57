using System.Globalization;
using FastBucket.E2E.Measurement;
using FastBucket.E2E.Workload;
using Microsoft.Extensions.DependencyInjection;
using Polly.CircuitBreaker;

namespace FastBucket.E2E.Contenders;

/// <summary>
/// No limiter: an IHttpClientFactory client with Microsoft.Extensions.Http.Resilience's standard handler at its
/// defaults (total timeout 30 s, 3 retries with exponential backoff honouring Retry-After, circuit breaker at 10%
/// failures over 30 s, attempt timeout 10 s, concurrency limit 1,000). Only callbacks that count are added.
/// </summary>
internal sealed class StandardResilienceContender : IContender
{
    public string Name => "Resilience (no limiter)";

    public string Wiring =>
        "`services.AddHttpClient(...).AddStandardResilienceHandler()` at its defaults (3 retries, exponential 2 s base + jitter, "
        + "honours Retry-After; circuit breaker 10% / 30 s / min 100 / break 5 s; attempt timeout 10 s; total timeout 30 s; "
        + "concurrency limiter 1,000) with counting-only OnRetry/OnOpened callbacks; no rate limiter";

    public async Task<string> RunAsync(Uri root, IReadOnlyList<WorkloadRequest> requests, LimitShape limits, RunRecorder recorder, CancellationToken cancellationToken)
    {
        long retries = 0;
        long circuitOpened = 0;
        long brokenCircuit = 0;
        var services = new ServiceCollection();
        services.AddHttpClient("e2e")
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler())
            .AddStandardResilienceHandler(options =>
            {
                options.Retry.OnRetry = _ =>
                {
                    Interlocked.Increment(ref retries);
                    return default;
                };
                options.CircuitBreaker.OnOpened = _ =>
                {
                    Interlocked.Increment(ref circuitOpened);
                    return default;
                };
            });

        // Added after the resilience handler, so it sits below it, next to the socket.
        services.AddHttpClient("e2e").AddHttpMessageHandler(() => new RecordingHandler(recorder));

        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("e2e");

        await ConcurrentSubmission.RunAsync(
            requests,
            recorder,
            async (request, token) =>
            {
                try
                {
                    return await ConcurrentSubmission.SendWithAsync(client, root, request, token);
                }
                catch (BrokenCircuitException)
                {
                    Interlocked.Increment(ref brokenCircuit);
                    throw;
                }
            },
            cancellationToken);

        return string.Create(
            CultureInfo.InvariantCulture,
            $"Polly retries (OnRetry) {Interlocked.Read(ref retries)}; circuit opened {Interlocked.Read(ref circuitOpened)} times; {Interlocked.Read(ref brokenCircuit)} requests ended on an open circuit");
    }
}
