using System.Text.Json;
using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Estimation;

/// <summary>
/// The standard <see cref="ITokenEstimator"/>: exact counts for OpenAI models, documented approximations for the
/// rest, calibrated from reconciled usage.
/// </summary>
/// <remarks>
/// <para>
/// The body format follows the provider: Anthropic Messages for <see cref="LlmProvider.Anthropic"/>, Gemini for
/// <see cref="LlmProvider.Gemini"/>, and the OpenAI formats (Chat Completions, Responses, Embeddings, Completions)
/// for every other provider; a body with Gemini's <c>contents</c> is read as Gemini whatever the provider.
/// </para>
/// <para>
/// Input tokens are <see cref="TokenEstimateMethod.Exact"/> for OpenAI models whose encoding is known (o200k_base for
/// gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and the o-series; cl100k_base for gpt-4, gpt-3.5-turbo and the text-embedding
/// models), on any provider that serves them under that name. Everything else is
/// <see cref="TokenEstimateMethod.Approximate"/>: o200k_base tokens times 1.2 for Claude models, 1.1 for Gemini
/// models and 1.0 for other models (Llama, Mistral, ...), plus fixed estimates for images and framing.
/// </para>
/// <para>
/// Output tokens reserved: <c>max_completion_tokens</c> or <c>max_tokens</c> (Chat, Anthropic, Completions),
/// <c>max_output_tokens</c> (Responses) or <c>generationConfig.maxOutputTokens</c> (Gemini), else
/// <see cref="TokenEstimatorOptions.DefaultOutputTokens"/>; times <c>n</c> (<c>candidateCount</c>, or the larger of
/// <c>n</c> and <c>best_of</c> for Completions), at most 128; capped at
/// <see cref="TokenEstimatorOptions.MaxOutputTokens"/>. Embedding requests reserve 0.
/// </para>
/// <para>
/// Anthropic prompt caching: the prefix up to a request's last <c>cache_control</c> breakpoint is charged in full
/// (a cache write counts as input) until a request carrying the same prefix has been answered; from then, for the
/// prefix's time to live after its last answer, it is left out of the input charged and reported as
/// <see cref="TokenEstimate.CachedInputTokens"/> (cache reads do not count toward Anthropic's ITPM). Prefixes shorter
/// than the model's minimum cacheable length are never taken as cached. Requests with a prefix do not teach the
/// calibrator, as their reported input depends on the cache.
/// </para>
/// <para>
/// Tokens per minute are charged as each provider documents (<see cref="RequestCost.TokensPerMinute"/>): Gemini's
/// quota counts input tokens only; OpenAI counts the larger of the input and max_tokens when it admits a request;
/// Azure OpenAI counts input plus max_tokens; both keep that charge. Elsewhere input plus output, settled.
/// </para>
/// <para>
/// A body that is not JSON, not an object, or none of the request shapes above never throws: it is charged
/// <c>ceil(bytes / 3)</c> input tokens (JSON text averages well over 3 bytes per token, so this errs high) and the
/// default output reservation, as a <see cref="TokenEstimateMethod.Fallback"/> estimate.
/// </para>
/// </remarks>
public sealed class TokenEstimator : ITokenEstimator
{
    /// <summary>Body bytes per input token in a fallback estimate.</summary>
    public const int FallbackBytesPerToken = 3;

    /// <summary>Characters per token where a provider counts a prompt by its characters (OpenAI's rate limiter).</summary>
    internal const int CharactersPerToken = 4;

    // Request bodies nest a handful of levels (tool schemas a few more); deeper input is refused as malformed.
    private const int MaxDepth = 64;

    private readonly int _defaultOutputTokens;
    private readonly double _coldStartInputMargin;
    private readonly PromptCacheTracker _promptCache;
    private readonly TokensPerMinuteCharge? _tokensPerMinuteCharge;

    /// <summary>Creates an estimator with default options and its own calibrator.</summary>
    public TokenEstimator()
        : this(new TokenEstimatorOptions(), new TokenEstimateCalibrator())
    {
    }

    /// <summary>Creates an estimator.</summary>
    /// <param name="options">Its settings; read once, here.</param>
    /// <param name="calibrator">Where reconciled usage is learned and applied; <see langword="null"/> for no calibration.</param>
    public TokenEstimator(TokenEstimatorOptions options, TokenEstimateCalibrator? calibrator)
    {
        ArgumentNullException.ThrowIfNull(options);
        _defaultOutputTokens = options.DefaultOutputTokens;
        _coldStartInputMargin = options.ColdStartInputMargin;
        _tokensPerMinuteCharge = options.TokensPerMinuteCharge;
        _promptCache = new PromptCacheTracker(options.TimeProvider ?? TimeProvider.System);
        Calibrator = calibrator;
    }

    /// <summary>The calibrator, if any.</summary>
    public TokenEstimateCalibrator? Calibrator { get; }

    /// <inheritdoc />
    public TokenEstimate Estimate(LlmProvider provider, string? model, ReadOnlySpan<byte> requestJsonUtf8) =>
        Estimate(provider, model, requestJsonUtf8, TryParse(requestJsonUtf8));

    /// <summary>As <see cref="Estimate(LlmProvider, string?, ReadOnlySpan{byte})"/>, parsing the body in place rather than from a copy (the handler's path).</summary>
    internal TokenEstimate Estimate(LlmProvider provider, string? model, ReadOnlyMemory<byte> requestJsonUtf8) =>
        Estimate(provider, model, requestJsonUtf8.Span, TryParse(requestJsonUtf8));

    private TokenEstimate Estimate(LlmProvider provider, string? model, ReadOnlySpan<byte> requestJsonUtf8, JsonDocument? document)
    {
        if (document is null)
        {
            return Fallback(provider, model, requestJsonUtf8.Length);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fallback(provider, model, requestJsonUtf8.Length);
            }

            model ??= JsonShape.GetString(root, "model");
            CountedRequest? counted;
            TokenEstimateMethod method;
            double factor;
            try
            {
                (counted, method, factor) = Count(provider, model, root);
            }
            catch (Exception error) when (error is InvalidOperationException or ArgumentException or FormatException)
            {
                // A value the parser accepted but a reader refused: still never the caller's problem.
                return Fallback(provider, model, requestJsonUtf8.Length);
            }

            if (counted is not { } request)
            {
                return Fallback(provider, model, requestJsonUtf8.Length);
            }

            long uncalibrated = TokenMath.CeilingScale(request.TextTokens, factor) + request.FixedTokens;
            uncalibrated = Math.Max(0, uncalibrated);
            long prefixTokens = 0;
            long cached = 0;
            if (request.Prefix is { } prefix)
            {
                prefixTokens = Math.Min(uncalibrated, TokenMath.CeilingScale(prefix.TextTokens, factor) + prefix.FixedTokens);
                cached = _promptCache.IsWarm(model, prefix.Hash) ? prefixTokens : 0;
                uncalibrated -= cached;
            }

            long input = Calibrator?.Calibrate(provider, model, uncalibrated, method) ?? uncalibrated;
            if (Calibrator is { } calibrator && _coldStartInputMargin > 0
                && calibrator.ObservationCount(provider, model) < TokenEstimatorOptions.ColdStartObservations)
            {
                input = TokenMath.CeilingScale(input, 1 + _coldStartInputMargin);
            }

            var cost = new RequestCost(1, input, request.OutputTokens)
            {
                TokensPerMinute = _tokensPerMinuteCharge ?? TokensPerMinuteChargeOf(provider),
                CharacterCountTokens = request.TextCharacters == 0 ? 0 : ((request.TextCharacters + CharactersPerToken - 1) / CharactersPerToken) + request.FixedTokens,
            };
            return new TokenEstimate(provider, model, cost, uncalibrated, method)
            {
                CachedInputTokens = cached,
                Prefix = request.Prefix,
                PrefixTokens = prefixTokens,
            };
        }
    }

    /// <inheritdoc />
    public void Reconcile(TokenEstimate estimate, TokenUsage actual)
    {
        if (estimate.Prefix is { } prefix)
        {
            // Answered: the provider has written (or refreshed) the prefix, if it is long enough to be cached at all.
            if (estimate.PrefixTokens >= PromptCacheTracker.MinimumCacheableTokens(estimate.Model))
            {
                _promptCache.Touch(estimate.Model, prefix.Hash, prefix.TimeToLive);
            }

            return;
        }

        if (estimate.Method != TokenEstimateMethod.Fallback)
        {
            Calibrator?.Observe(estimate.Provider, estimate.Model, estimate.UncalibratedInputTokens, actual.InputTokens);
        }
    }

    private (CountedRequest? Counted, TokenEstimateMethod Method, double Factor) Count(LlmProvider provider, string? model, JsonElement root)
    {
        TokenCounter standIn = TiktokenEncodings.Get(TiktokenEncoding.O200kBase);
        if (provider == LlmProvider.Anthropic)
        {
            return (AnthropicRequestCounter.Count(root, standIn, _defaultOutputTokens), TokenEstimateMethod.Approximate, AnthropicRequestCounter.TextFactor);
        }

        if (provider == LlmProvider.Gemini || JsonShape.Get(root, "contents").ValueKind != JsonValueKind.Undefined)
        {
            return (GeminiRequestCounter.Count(root, standIn, _defaultOutputTokens), TokenEstimateMethod.Approximate, GeminiRequestCounter.TextFactor);
        }

        TiktokenEncoding? encoding = TiktokenEncodings.ForModel(model);
        if (encoding is { } known)
        {
            return (OpenAIRequestCounter.Count(root, TiktokenEncodings.Get(known), known, model, _defaultOutputTokens), TokenEstimateMethod.Exact, 1.0);
        }

        return (OpenAIRequestCounter.Count(root, standIn, TiktokenEncoding.O200kBase, model, _defaultOutputTokens), TokenEstimateMethod.Approximate, FactorForOtherModel(model));
    }

    /// <summary>Claude and Gemini models reached through an OpenAI-compatible API keep their own factor.</summary>
    private static double FactorForOtherModel(string? model)
    {
        if (model is null)
        {
            return 1.0;
        }

        if (model.Contains("claude", StringComparison.OrdinalIgnoreCase))
        {
            return AnthropicRequestCounter.TextFactor;
        }

        return model.Contains("gemini", StringComparison.OrdinalIgnoreCase) ? GeminiRequestCounter.TextFactor : 1.0;
    }

    private TokenEstimate Fallback(LlmProvider provider, string? model, int bodyBytes)
    {
        long input = (bodyBytes + FallbackBytesPerToken - 1) / FallbackBytesPerToken;
        return new TokenEstimate(provider, model, new RequestCost(1, input, _defaultOutputTokens) { TokensPerMinute = _tokensPerMinuteCharge ?? TokensPerMinuteChargeOf(provider) }, input, TokenEstimateMethod.Fallback);
    }

    /// <summary>How <paramref name="provider"/> documents charging its tokens-per-minute limit.</summary>
    internal static TokensPerMinuteCharge TokensPerMinuteChargeOf(LlmProvider provider) => provider switch
    {
        LlmProvider.Gemini => TokensPerMinuteCharge.InputOnly,
        LlmProvider.OpenAI => TokensPerMinuteCharge.LargerOfInputAndOutputKept,
        LlmProvider.AzureOpenAI => TokensPerMinuteCharge.InputAndOutputKept,
        _ => TokensPerMinuteCharge.InputAndOutputSettled,
    };

    private static JsonDocument? TryParse(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            // Parse checks that nothing but whitespace follows the one value.
            return JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonDocument? TryParse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.ParseValue(ref reader);

            // Anything after the one value (a second object, stray text) makes the body malformed.
            if (reader.Read())
            {
                document.Dispose();
                return null;
            }

            return document;
        }
        catch (JsonException)
        {
            document?.Dispose();
            return null;
        }
    }
}
