using System.Globalization;
using FastBucket.E2E.Measurement;
using FastBucket.E2E.Workload;
using FastBucket.Http;
using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.E2E.Contenders;

/// <summary>FastBucket: one <see cref="FastBucketHandler"/> with the account's RPM and TPM, default options otherwise.</summary>
internal sealed class FastBucketContender : IContender
{
    public string Name => "FastBucket";

    public string Wiring =>
        "`HttpClient(FastBucketHandler(Provider = OpenAI, Quotas = QuotaRegistry(Limits = RPM + TPM), defaults otherwise: "
        + "tiktoken estimate + calibrator, reserve input + max_tokens, reconcile to usage, up to 6 retries honouring Retry-After), "
        + "SocketsHttpHandler)`, `HttpClient.Timeout` infinite (the wait for quota happens inside the handler)";

    public async Task<string> RunAsync(Uri root, IReadOnlyList<WorkloadRequest> requests, LimitShape limits, RunRecorder recorder, CancellationToken cancellationToken)
    {
        using var registry = new QuotaRegistry(new QuotaRegistryOptions
        {
            Limits = new QuotaLimits { RequestsPerMinute = limits.RequestsPerMinute, TokensPerMinute = limits.TokensPerMinute },
        });
        long reservations = 0;
        using var handler = new FastBucketHandler(
            new FastBucketHandlerOptions
            {
                Provider = LlmProvider.OpenAI,
                Quotas = registry,
                OnReserved = (_, _) => Interlocked.Increment(ref reservations),
            },
            new RecordingHandler(recorder, new SocketsHttpHandler()));
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };

        await ConcurrentSubmission.RunAsync(
            requests,
            recorder,
            (request, token) => ConcurrentSubmission.SendWithAsync(client, root, request, token),
            cancellationToken);

        return string.Create(
            CultureInfo.InvariantCulture,
            $"handler counted {handler.RateLimitedResponses} 429s and {handler.Retries} retries; {Interlocked.Read(ref reservations)} reservations granted");
    }
}
