using System.Text.Json;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Faults;
using FastBucket.Simulator.Generation;
using FastBucket.Simulator.Latency;
using FastBucket.Simulator.Providers;
using FastBucket.Simulator.Providers.Anthropic;
using FastBucket.Simulator.Providers.OpenRouter;
using Microsoft.AspNetCore.Http;

namespace FastBucket.Simulator.Http;

/// <summary>
/// The life of one request: key, body, injected status faults (no charge), admission (429 at once when refused,
/// without latency, as real 429s come fast), first-byte latency, the response, and settlement of the unused
/// reservation. All random draws happen first and in a fixed order, so a seed replays a request sequence exactly.
/// </summary>
internal sealed class RequestProcessor
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    private static readonly string[] RetryAfterHeaders = ["retry-after", "retry-after-ms", "x-ms-retry-after-ms"];

    private readonly RateLimitLedger _ledger;
    private readonly AccountingModel _accounting;
    private readonly PromptCache _promptCache;
    private readonly SimulatorStatistics _statistics;
    private readonly FaultInjector _faults;
    private readonly LatencyModel _latency;
    private readonly GenerationSettings _settings;
    private readonly TimeProvider _time;
    private readonly int _seed;
    private long _requestCount;

    public RequestProcessor(
        RateLimitLedger ledger,
        AccountingModel accounting,
        SimulatorStatistics statistics,
        FaultInjector faults,
        LatencyModel latency,
        GenerationSettings settings,
        TimeProvider time,
        int seed)
    {
        _ledger = ledger;
        _accounting = accounting;
        _promptCache = new PromptCache(time);
        _statistics = statistics;
        _faults = faults;
        _latency = latency;
        _settings = settings;
        _time = time;
        _seed = seed;
    }

    public async Task HandleGenerationAsync(HttpContext context, IGenerationEndpoint endpoint)
    {
        CancellationToken cancellationToken = context.RequestAborted;
        ProviderDialect dialect = endpoint.Dialect;
        Random random = RequestRandom.Create(_seed, Interlocked.Increment(ref _requestCount));
        _statistics.CountRequest();

        string requestId = dialect.NewRequestId(random);
        FaultPlan faults = _faults.Next(random, dialect.Provider);
        TimeSpan firstByteDelay = _latency.NextFirstByteDelay(random) + (faults.SlowFirstByte ? _faults.SlowFirstByteDelay : TimeSpan.Zero);
        double outputDraw = random.NextDouble();
        int contentSeed = random.Next();
        dialect.AddResponseHeaders(context.Response.Headers, requestId);

        string? apiKey = dialect.ReadApiKey(context.Request);
        if (apiKey is null)
        {
            _statistics.CountUnauthorized();
            await WriteErrorAsync(context, dialect.MissingApiKey(requestId), cancellationToken).ConfigureAwait(false);
            return;
        }

        (GenerationRequest? request, RequestRejection? rejection) = await ReadRequestAsync(context, endpoint, cancellationToken).ConfigureAwait(false);
        if (request is null)
        {
            _statistics.CountBadRequest();
            await WriteErrorAsync(context, dialect.ClientError(rejection!, requestId), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (faults.IsInjectedStatus)
        {
            FaultKind fault = faults.Replacement!.Value;
            _statistics.CountFault(fault);
            await DelayFirstByteAsync(firstByteDelay, faults, cancellationToken).ConfigureAwait(false);
            await WriteErrorAsync(context, dialect.InjectedFault(fault, requestId), cancellationToken).ConfigureAwait(false);
            return;
        }

        RateLimitAccount account = _ledger.AccountFor(dialect.Provider, apiKey, request.Model);
        request = WithPromptCache(apiKey, request);
        RequestCharge reserved = ChargeFor(dialect, request, request.MaxOutputTokens);
        AdmissionDecision decision = account.TryAdmit(reserved);
        if (!decision.IsAdmitted && decision.RetryAfter is TimeSpan stated && _accounting.RetryHintCap is TimeSpan cap && stated > cap)
        {
            decision = decision.WithRetryAfter(cap);
        }

        if (faults.OmitRateLimitHeaders)
        {
            _statistics.CountFault(FaultKind.MissingRateLimitHeaders);
        }
        else
        {
            AddRateLimitHeaders(context.Response.Headers, dialect, decision);
        }

        if (!decision.IsAdmitted)
        {
            _statistics.CountRateLimited(decision.LimitingDimension!.Value);
            ErrorResponse refusal = dialect.RateLimited(decision, request, requestId, _accounting);
            if (!_accounting.RetryAfterHeader)
            {
                refusal = refusal with { Headers = [.. refusal.Headers.Where(h => !RetryAfterHeaders.Contains(h.Key, StringComparer.OrdinalIgnoreCase))] };
            }

            await WriteErrorAsync(context, refusal, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (request.CachePrefixKey is string prefix && (request.CacheReadTokens > 0 || request.CacheWriteTokens > 0))
        {
            _promptCache.Use(apiKey, prefix);
        }

        _statistics.CountAdmitted();
        int outputTokens = DrawOutputTokens(outputDraw, request.MaxOutputTokens);
        var content = new Random(contentSeed);
        var completion = new GeneratedCompletion(
            endpoint.NewResponseId(content),
            TextGenerator.Words(content, outputTokens),
            request.MaxOutputTokens > 0 && outputTokens == request.MaxOutputTokens,
            _time.GetUtcNow(),
            content.Next());
        RequestCharge actual = ChargeFor(dialect, request, outputTokens);
        try
        {
            await DelayFirstByteAsync(firstByteDelay, faults, cancellationToken).ConfigureAwait(false);
            var channel = new ResponseChannel(context, _time, _latency.ChunkInterval, faults, endpoint.ExpectedChunks(request, completion));
            await endpoint.WriteAsync(channel, request, completion, cancellationToken).ConfigureAwait(false);
            if (channel.AppliedFault is FaultKind applied)
            {
                _statistics.CountFault(applied);
            }

            _statistics.CountUsage(request.InputTokens, outputTokens, request.CacheReadTokens);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException && cancellationToken.IsCancellationRequested)
        {
            // The client went away; the provider has done the work regardless.
        }
        finally
        {
            account.Settle(reserved, actual, decision.At);
        }
    }

    public async Task HandleKeyInfoAsync(HttpContext context, ProviderDialect dialect)
    {
        Random random = RequestRandom.Create(_seed, Interlocked.Increment(ref _requestCount));
        _statistics.CountRequest();
        string requestId = dialect.NewRequestId(random);
        dialect.AddResponseHeaders(context.Response.Headers, requestId);
        if (dialect.ReadApiKey(context.Request) is not string apiKey)
        {
            _statistics.CountUnauthorized();
            await WriteErrorAsync(context, dialect.MissingApiKey(requestId), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        byte[] body = KeyInfoEndpoint.Body(ApiKeyFingerprint.Of(apiKey));
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// What a request costs under the accounting model: one request; input (less cache reads) and output on ITPM and
    /// OTPM; on TPM and TPD what <see cref="AccountingModel.Tokens"/> says.
    /// </summary>
    private RequestCharge ChargeFor(ProviderDialect dialect, GenerationRequest request, int outputTokens)
    {
        long input = request.InputTokens - request.CacheReadTokens;
        return _accounting.Tokens switch
        {
            TokenCharge.InputPlusMaxOutput => new(1, input + outputTokens, input, outputTokens),
            TokenCharge.MaxOfInputAndMaxOutput => new(1, Math.Max(input, outputTokens), input, outputTokens),
            TokenCharge.InputOnly => new(1, input, input, outputTokens),
            _ => dialect.ChargeFor(input, outputTokens),
        };
    }

    /// <summary>Marks the cached part of the prompt: a read when the prefix is cached, else a write (prefixes long enough only).</summary>
    private GenerationRequest WithPromptCache(string apiKey, GenerationRequest request)
    {
        if (!_accounting.PromptCaching || request.CachePrefixKey is not string prefix || request.CachePrefixTokens < _accounting.MinimumCacheableTokens)
        {
            return request;
        }

        return _promptCache.Contains(apiKey, prefix)
            ? request with { CacheReadTokens = request.CachePrefixTokens }
            : request with { CacheWriteTokens = request.CachePrefixTokens };
    }

    private void AddRateLimitHeaders(IHeaderDictionary headers, ProviderDialect dialect, AdmissionDecision decision)
    {
        switch (_accounting.Headers)
        {
            case RateLimitHeaderStyle.None or RateLimitHeaderStyle.InsideRateLimitBodyOnly:
                return;
            case RateLimitHeaderStyle.RemainingOnly:
                var all = new HeaderDictionary();
                dialect.AddRateLimitHeaders(all, decision, _accounting);
                foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> header in all)
                {
                    if (header.Key.Contains("remaining", StringComparison.OrdinalIgnoreCase))
                    {
                        headers[header.Key] = header.Value;
                    }
                }

                return;
            default:
                dialect.AddRateLimitHeaders(headers, decision, _accounting);
                return;
        }
    }

    private static async Task<(GenerationRequest? Request, RequestRejection? Rejection)> ReadRequestAsync(
        HttpContext context,
        IGenerationEndpoint endpoint,
        CancellationToken cancellationToken)
    {
        try
        {
            using JsonDocument document = await JsonDocument.ParseAsync(context.Request.Body, DocumentOptions, cancellationToken).ConfigureAwait(false);
            GenerationRequest? request = endpoint.Parse(document.RootElement, context.Request, out RequestRejection? rejection);
            return (request, rejection);
        }
        catch (JsonException)
        {
            return (null, RequestRejection.Invalid("We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON."));
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, ErrorResponse error, CancellationToken cancellationToken)
    {
        HttpResponse response = context.Response;
        response.StatusCode = error.StatusCode;
        foreach (KeyValuePair<string, string> header in error.Headers)
        {
            response.Headers[header.Key] = header.Value;
        }

        response.ContentType = "application/json";
        response.ContentLength = error.Body.Length;
        try
        {
            await response.Body.WriteAsync(error.Body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException && cancellationToken.IsCancellationRequested)
        {
            // The client went away before reading the error.
        }
    }

    private int DrawOutputTokens(double draw, int maximum)
    {
        if (maximum <= 0)
        {
            return 0;
        }

        int minimum = Math.Min(Math.Max(_settings.MinOutputTokens, (int)Math.Ceiling(_settings.MinOutputShare * maximum)), maximum);
        return minimum + (int)Math.Min(maximum - minimum, Math.Floor(draw * (maximum - minimum + 1)));
    }

    private async Task DelayFirstByteAsync(TimeSpan delay, FaultPlan faults, CancellationToken cancellationToken)
    {
        if (faults.SlowFirstByte)
        {
            _statistics.CountFault(FaultKind.SlowFirstByte);
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
