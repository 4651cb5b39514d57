using System.Globalization;
using FastBucket.E2E.Measurement;
using FastBucket.E2E.Workload;
using FastBucket.Http;
using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.E2E.Contenders;

/// <summary>
/// FastBucket: one <see cref="FastBucketHandler"/>, default options otherwise. By default (the e2e run) it is told
/// the account's RPM and TPM for OpenAI; the fidelity matrix names the provider and either gives it every limit of
/// the account (limits known) or none, so that it learns them from the provider's signals (limits discovered).
/// </summary>
internal sealed class FastBucketContender : IContender
{
    private readonly LlmProvider _provider;
    private readonly QuotaLimits? _knownLimits;
    private readonly bool _discover;

    public FastBucketContender()
    {
        _provider = LlmProvider.OpenAI;
    }

    /// <param name="provider">The provider the handler reads signals of.</param>
    /// <param name="knownLimits">The account's limits as its owner knows them; <see langword="null"/> to discover them.</param>
    public FastBucketContender(LlmProvider provider, QuotaLimits? knownLimits)
    {
        _provider = provider;
        _knownLimits = knownLimits;
        _discover = knownLimits is null;
    }

    public string Name => _discover ? "FastBucket (limits discovered)" : _knownLimits is null ? "FastBucket" : "FastBucket (limits known)";

    public string Wiring =>
        $"`HttpClient(FastBucketHandler(Provider = {_provider}, Quotas = QuotaRegistry(Limits = {(_discover ? "none: discovered from signals" : _knownLimits is null ? "RPM + TPM" : "every limit of the account")}), defaults otherwise: "
        + "tiktoken estimate + calibrator, reserve input + max_tokens, reconcile to usage, up to 6 retries honouring Retry-After), "
        + "SocketsHttpHandler)`, `HttpClient.Timeout` infinite (the wait for quota happens inside the handler)";

    public async Task<string> RunAsync(Uri root, IReadOnlyList<WorkloadRequest> requests, LimitShape limits, RunRecorder recorder, CancellationToken cancellationToken)
    {
        using var registry = new QuotaRegistry(new QuotaRegistryOptions
        {
            Limits = _discover ? null : _knownLimits ?? new QuotaLimits { RequestsPerMinute = limits.RequestsPerMinute, TokensPerMinute = limits.TokensPerMinute },
        });
        long reservations = 0;
        using var handler = new FastBucketHandler(
            new FastBucketHandlerOptions
            {
                Provider = _provider,
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

        // How each window counted at the end (the safe shape, a learned bucket, a pace): what a share is explained by.
        string windows = string.Join("; ", registry.Quotas.OfType<LlmQuota>().SelectMany(quota => QuotaDimensions.Rate
            .Where(row => quota.Window(row.Dimension) is not null)
            .Select(row => $"{row.Name} {quota.Window(row.Dimension)}")));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"handler counted {handler.RateLimitedResponses} 429s and {handler.Retries} retries; {Interlocked.Read(ref reservations)} reservations granted; windows at the end: {windows}");
    }
}
