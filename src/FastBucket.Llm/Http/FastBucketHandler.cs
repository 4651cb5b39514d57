using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using FastBucket.Estimation;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Usage;
using Polly;
using Polly.Retry;

namespace FastBucket.Http;

/// <summary>
/// An <see cref="HttpClient"/> handler that runs LLM API calls at the highest rate the account's limits allow:
/// for each request it finds the provider and model, estimates the cost, reserves it on the quota (waiting in FIFO
/// order as needed), sends, reads the provider's rate-limit signals to adapt the quota, reconciles the reservation
/// with the real usage (from the JSON body, or from a stream as the caller reads it, without buffering), and
/// retries what is retryable with Polly.
/// </summary>
/// <remarks>
/// Retries: 429 with a wait within <see cref="FastBucketHandlerOptions.MaxRetryWait"/>, 408, 500, 502, 503, 504,
/// 529 and connection failures, with exponential backoff and full jitter, or exactly the server's wait when it names
/// one. Never retried: non-retryable quota errors (<c>insufficient_quota</c>, spend caps, per-day quotas), other 4xx,
/// and the caller's cancellation or the <see cref="HttpClient.Timeout"/>. After the retries, the last response is
/// returned as it came (its body intact), so callers and SDKs see the provider's own error.
/// </remarks>
public sealed class FastBucketHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<QuotaKey> QuotaKeyProperty = new("FastBucket.QuotaKey");
    private static readonly ResiliencePropertyKey<RateLimitSignals> SignalsKey = new("FastBucket.Signals");
    private static readonly HttpStatusCode[] RetryableStatuses =
    [
        HttpStatusCode.RequestTimeout, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError,
        HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout, (HttpStatusCode)529,
    ];

    private readonly FastBucketHandlerOptions _options;
    private readonly QuotaRegistry _quotas;
    private readonly bool _ownsQuotas;
    private readonly ITokenEstimator _estimator;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private long _retries;
    private long _rateLimited;

    /// <summary>Creates the handler; set <see cref="DelegatingHandler.InnerHandler"/> or let <c>AddFastBucket</c> do it.</summary>
    public FastBucketHandler(FastBucketHandlerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _ownsQuotas = options.Quotas is null;
        _quotas = options.Quotas ?? new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = options.TimeProvider });
        _estimator = options.Estimator ?? new TokenEstimator(new TokenEstimatorOptions { TimeProvider = options.TimeProvider }, new TokenEstimateCalibrator());
        _time = options.TimeProvider ?? TimeProvider.System;
        _retry = BuildRetry(options, _time);
    }

    /// <summary>Creates the handler with an inner handler.</summary>
    public FastBucketHandler(FastBucketHandlerOptions options, HttpMessageHandler innerHandler)
        : this(options)
    {
        InnerHandler = innerHandler;
    }

    /// <summary>
    /// A request option (<see cref="HttpRequestMessage.Options"/>) holding a token that cancels the request only while
    /// it waits for quota, before it is sent: a batch that stops admitting work sets it so that requests still queued
    /// end at once while those already sent finish. Once a request is sent only its own token cancels it.
    /// </summary>
    public static HttpRequestOptionsKey<CancellationToken> QuotaWaitCancellation { get; } = new("FastBucket.QuotaWaitCancellation");

    /// <summary>The quotas this handler draws on.</summary>
    public QuotaRegistry Quotas => _quotas;

    /// <summary>Retries sent so far.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>429 responses received so far (retried or returned).</summary>
    public long RateLimitedResponses => Interlocked.Read(ref _rateLimited);

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var provider = LlmRequestTarget.Provider(_options.Provider, request.RequestUri);
        var (buffer, length) = await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
        string model;
        TokenEstimate estimate;
        try
        {
            var body = new ReadOnlyMemory<byte>(buffer, 0, length);
            model = LlmRequestTarget.ReadModel(request.RequestUri, body.Span) ?? "(unknown)";
            string? known = model == "(unknown)" ? null : model;
            estimate = _estimator is TokenEstimator standard ? standard.Estimate(provider, known, body) : _estimator.Estimate(provider, known, body.Span);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        var quota = _quotas.GetOrCreate(new QuotaKey(provider, model, _options.Account));
        bool streaming = LlmRequestTarget.IsStreamingPath(request.RequestUri);

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(QuotaKeyProperty, quota.Key);
        try
        {
            var attempt = new Attempt(this, request, quota, provider, estimate, streaming);
            var outcome = await _retry.ExecuteOutcomeAsync(
                static (ctx, state) => state.Handler.SendOnceAsync(state, ctx),
                context,
                attempt).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <inheritdoc/>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsQuotas)
        {
            _quotas.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<Outcome<HttpResponseMessage>> SendOnceAsync(Attempt attempt, ResilienceContext context)
    {
        var cancellationToken = context.CancellationToken;
        QuotaReservation reservation;
        long asked = _time.GetTimestamp();
        try
        {
            reservation = await ReserveAsync(attempt, cancellationToken).ConfigureAwait(false);
            var waited = _time.GetElapsedTime(asked);
            Telemetry.FastBucketMetrics.Granted(attempt.Quota.Key, waited);
            _options.OnReserved?.Invoke(attempt.Quota.Key, waited);
        }
        catch (Exception ex) when (ex is QuotaExhaustedException or ArgumentOutOfRangeException or OperationCanceledException or ObjectDisposedException or QueueLimitExceededException)
        {
            if (ex is not OperationCanceledException)
            {
                Telemetry.FastBucketMetrics.Refused(attempt.Quota.Key);
            }

            return Outcome.FromException<HttpResponseMessage>(ex);
        }

        long sent = _time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(attempt.Request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            EndFailedSend(reservation, ex);
            return Outcome.FromException<HttpResponseMessage>(ex);
        }

        var sinceSent = _time.GetElapsedTime(sent);
        var now = _time.GetUtcNow();
        if (response.IsSuccessStatusCode)
        {
            var signals = RateLimitSignalReader.Read(attempt.Provider, response, default, now);
            attempt.Quota.Observe(signals, reservation, sinceSent);
            _options.OnSignals?.Invoke(attempt.Quota.Key, signals);
            try
            {
                await AttachUsageAsync(attempt, response, reservation, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The body failed to arrive (the connection broke, the caller canceled, HttpClient.Timeout fired while
                // buffering): the provider answered 2xx, so it did the work; the charge is kept and the slot freed,
                // or the in-flight count would leak and a MaxConcurrency quota would stall for good.
                reservation.Dispose();
                response.Dispose();
                return Outcome.FromException<HttpResponseMessage>(ex);
            }

            return Outcome.FromResult(response);
        }

        var errorBody = await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        var errorSignals = RateLimitSignalReader.Read(attempt.Provider, response, errorBody.Span, now);

        // Observed before the reservation ends: ending it frees its slot and refunds, which wakes the queue, and a 429's
        // hold must be in place by then or a queued request is sent straight into the same 429.
        attempt.Quota.Observe(errorSignals, reservation, sinceSent);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            Interlocked.Increment(ref _rateLimited);
            Telemetry.FastBucketMetrics.RateLimited(attempt.Quota.Key);
        }

        // Every error, a 429 included, keeps its request and gives the tokens back: providers count rejected requests
        // against the request limits (OpenAI: "unsuccessful requests contribute to your per-minute limit").
        reservation.CompleteRejected();

        _options.OnSignals?.Invoke(attempt.Quota.Key, errorSignals);
        context.Properties.Set(SignalsKey, errorSignals);
        return Outcome.FromResult(response);
    }

    private static async ValueTask<QuotaReservation> ReserveAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        if (!attempt.Request.Options.TryGetValue(QuotaWaitCancellation, out CancellationToken stopWaiting) || !stopWaiting.CanBeCanceled)
        {
            return await attempt.Quota.ReserveAsync(attempt.Estimate.Cost, cancellationToken).ConfigureAwait(false);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopWaiting);
        return await attempt.Quota.ReserveAsync(attempt.Estimate.Cost, linked.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the reservation of a send that threw. A connection that could not be made (DNS, TCP, TLS, proxy) never
    /// carried the request, so everything is given back. Anything later (the request was written, the response
    /// ended early, the caller canceled or the timeout fired while waiting for headers) may have reached the provider,
    /// which counts it and may be generating: the whole charge is kept.
    /// </summary>
    private static void EndFailedSend(QuotaReservation reservation, Exception error)
    {
        if (error is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError })
        {
            reservation.Cancel();
        }
        else
        {
            reservation.Dispose();
        }
    }

    private async ValueTask AttachUsageAsync(Attempt attempt, HttpResponseMessage response, QuotaReservation reservation, CancellationToken cancellationToken)
    {
        var content = response.Content;
        var mediaType = content.Headers.ContentType?.MediaType;
        bool stream = attempt.Streaming || string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);
        if (!stream)
        {
            // A JSON body is small and HttpClient buffers it anyway; read the usage from it now.
            await content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            var bytes = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var usage = UsageReader.FromJson(attempt.Provider, bytes);
            Reconcile(attempt, reservation, usage, final: true);
            return;
        }

        // A stream: pass every byte through to the caller and read the usage events as they go by.
        var inner = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var capturing = new UsageCapturingStream(inner, attempt.Provider, (usage, final) => Reconcile(attempt, reservation, usage, final));
        var replacement = new StreamContent(capturing);
        foreach (var header in content.Headers)
        {
            replacement.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = replacement;
    }

    private void Reconcile(Attempt attempt, QuotaReservation reservation, TokenUsage? usage, bool final)
    {
        if (usage is not { } actual)
        {
            // No usage reported (stream abandoned, malformed body): keep the reserved charge.
            reservation.Dispose();
        }
        else if (final)
        {
            reservation.Complete(actual);
            _estimator.Reconcile(attempt.Estimate, actual);
        }
        else
        {
            // A stream abandoned part of the way: its running counts are not what the provider will charge. The
            // input it reported is exact; the output may have run on to the reservation, so none of that is refunded.
            var cost = reservation.Cost;
            reservation.Complete(new TokenUsage(
                actual.InputTokens > 0 ? actual.InputTokens : cost.InputTokens,
                Math.Max(actual.OutputTokens, cost.OutputTokens)));
        }
    }

    private async ValueTask<ReadOnlyMemory<byte>> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (_options.MaxErrorBodyBytes == 0 || response.Content is null)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        try
        {
            // Buffered so the caller can still read the provider's error body.
            await response.Content.LoadIntoBufferAsync(_options.MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // Larger than the cap, or the connection broke mid-body: the headers still carry the signals.
            return ReadOnlyMemory<byte>.Empty;
        }
    }

    /// <summary>The request body in a buffer rented from the shared pool (the caller returns it), or none.</summary>
    private static async ValueTask<(byte[]? Buffer, int Length)> ReadBodyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is null)
        {
            return (null, 0);
        }

        // Buffering makes the content re-sendable for retries; its bytes are copied once into a pooled buffer, not
        // into a new array per request. Content over bytes in memory (byte arrays, strings, ReadOnlyMemory) is
        // re-sendable as it is: buffering it would copy the whole body once more (4.4 KB for a 1,000-token prompt).
        if (request.Content is not (ByteArrayContent or ReadOnlyMemoryContent))
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        long size = request.Content.Headers.ContentLength ?? 0;
        var sink = new PooledBufferStream((int)Math.Clamp(size, 256, 64 * 1024 * 1024));
        try
        {
            await request.Content.CopyToAsync(sink, cancellationToken).ConfigureAwait(false);
            return sink.Detach();
        }
        catch
        {
            sink.Dispose();
            throw;
        }
    }

    private ResiliencePipeline<HttpResponseMessage> BuildRetry(FastBucketHandlerOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (options.MaxRetryAttempts == 0)
        {
            return builder.Build();
        }

        return builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = options.MaxRetryAttempts,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.BaseRetryDelay,
            MaxDelay = options.MaxRetryWait,
            ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context, options)),
            DelayGenerator = args => ValueTask.FromResult(ServerWait(args.Context)),
            OnRetry = args =>
            {
                Interlocked.Increment(ref _retries);
                if (args.Context.Properties.TryGetValue(QuotaKeyProperty, out var key))
                {
                    Telemetry.FastBucketMetrics.Retried(key);
                }

                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context, FastBucketHandlerOptions options)
    {
        if (outcome.Exception is { } exception)
        {
            return !context.CancellationToken.IsCancellationRequested
                && exception is HttpRequestException or IOException or TimeoutException;
        }

        var response = outcome.Result!;
        if (Array.IndexOf(RetryableStatuses, response.StatusCode) < 0)
        {
            return false;
        }

        if (context.Properties.TryGetValue(SignalsKey, out var signals))
        {
            if (signals.Retryable == false)
            {
                return false;
            }

            var wait = signals.RetryAfter ?? signals.BodyRetryHint;
            if (wait > options.MaxRetryWait)
            {
                return false;
            }
        }

        return true;
    }

    private static TimeSpan? ServerWait(ResilienceContext context) =>
        context.Properties.TryGetValue(SignalsKey, out var signals) ? signals.RetryAfter ?? signals.BodyRetryHint : null;

    private sealed record Attempt(FastBucketHandler Handler, HttpRequestMessage Request, ILlmQuota Quota, LlmProvider Provider, TokenEstimate Estimate, bool Streaming);
}
