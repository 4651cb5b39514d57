using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using FastBucket.E2E.Measurement;
using FastBucket.E2E.Workload;
using Polly;
using Polly.RateLimiting;
using Polly.Retry;

namespace FastBucket.E2E.Contenders;

/// <summary>
/// System.Threading.RateLimiting through Polly: two <see cref="TokenBucketRateLimiter"/>s, one counting requests
/// (RPM) and one counting estimated tokens (TPM, permits = tiktoken prompt count + max_tokens, the cookbook's
/// estimate), each in a Polly rate-limiter strategy, inside a Polly retry for 429/408/5xx that honours Retry-After.
/// Every attempt acquires again from both buckets; permits are never given back (the runtime limiter has no refund).
/// </summary>
internal sealed class PollyTokenBucketContender : IContender
{
    private static readonly ResiliencePropertyKey<int> EstimatedTokens = new("e2e.estimated-tokens");

    public string Name => "TokenBucketRateLimiter + Polly";

    public string Wiring =>
        "Polly `ResiliencePipeline<HttpResponseMessage>`: `AddRetry` (429/408/5xx/HttpRequestException, 5 retries, exponential 1 s + jitter, "
        + "Retry-After when given) → `AddRateLimiter(TokenBucketRateLimiter TPM: TokenLimit = TPM, TokensPerPeriod = TPM/60 per 1 s, "
        + "permits = cookbook estimate (o200k prompt tokens + 4/message + 2 + max_tokens))` → `AddRateLimiter(TokenBucketRateLimiter RPM: "
        + "TokenLimit = RPM, TokensPerPeriod = RPM/60 per 1 s, 1 permit)`; both queue without limit, oldest first, auto-replenished; "
        + "plain `HttpClient(SocketsHttpHandler)` inside";

    public async Task<string> RunAsync(Uri root, IReadOnlyList<WorkloadRequest> requests, LimitShape limits, RunRecorder recorder, CancellationToken cancellationToken)
    {
        using var requestBucket = CreateBucket(limits.RequestsPerMinute);
        using var tokenBucket = CreateBucket(limits.TokensPerMinute);
        long retries = 0;
        long rejected = 0;
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .HandleResult(response => response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
                        || (int)response.StatusCode >= 500),
                MaxRetryAttempts = 5,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(1),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.Headers.RetryAfter?.Delta),
                OnRetry = _ =>
                {
                    Interlocked.Increment(ref retries);
                    return default;
                },
            })
            .AddRateLimiter(new RateLimiterStrategyOptions
            {
                RateLimiter = args => tokenBucket.AcquireAsync(args.Context.Properties.GetValue(EstimatedTokens, 1), args.Context.CancellationToken),
                OnRejected = _ =>
                {
                    Interlocked.Increment(ref rejected);
                    return default;
                },
            })
            .AddRateLimiter(new RateLimiterStrategyOptions
            {
                RateLimiter = args => requestBucket.AcquireAsync(1, args.Context.CancellationToken),
                OnRejected = _ =>
                {
                    Interlocked.Increment(ref rejected);
                    return default;
                },
            })
            .Build();

        using var client = new HttpClient(new RecordingHandler(recorder, new SocketsHttpHandler()));
        await ConcurrentSubmission.RunAsync(
            requests,
            recorder,
            (request, token) => SendAsync(pipeline, client, root, request, token),
            cancellationToken);

        return string.Create(
            CultureInfo.InvariantCulture,
            $"Polly retries (OnRetry) {Interlocked.Read(ref retries)}; limiter rejections {Interlocked.Read(ref rejected)}");
    }

    private static async Task<bool> SendAsync(
        ResiliencePipeline<HttpResponseMessage> pipeline,
        HttpClient client,
        Uri root,
        WorkloadRequest request,
        CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(EstimatedTokens, Cookbook.CookbookParallelProcessor.NumTokensConsumedFromRequest(request.EstimateBody, "chat/completions"));
        try
        {
            using var response = await pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    // A message can be sent once; each attempt builds its own.
                    using var message = ChatRequest.Create(state.root, state.request);
                    return await state.client.SendAsync(message, HttpCompletionOption.ResponseContentRead, ctx.CancellationToken);
                },
                context,
                (client, root, request));
            _ = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return response.IsSuccessStatusCode;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static TokenBucketRateLimiter CreateBucket(long perMinute) => new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = checked((int)perMinute),
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        TokensPerPeriod = Math.Max(1, checked((int)(perMinute / 60))),
        AutoReplenishment = true,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });
}
