using System.Net.Http.Headers;
using System.Text.Json;
using FastBucket.Providers.Anthropic;
using FastBucket.Providers.AzureOpenAI;
using FastBucket.Providers.Gemini;
using FastBucket.Providers.Groq;
using FastBucket.Providers.OpenAI;
using FastBucket.Providers.OpenRouter;
using FastBucket.Providers.Wire;

namespace FastBucket.Providers;

/// <summary>
/// Reads the rate-limit signals of one HTTP response with the conventions of its provider. The one entry point
/// in front of the per-provider parsers.
/// </summary>
/// <remarks>
/// Headers are read from <see cref="HttpHeaders.NonValidated"/> (response and content headers), names in any
/// case, numbers parsed from spans: reading a typical successful response allocates nothing. Bodies are only
/// read when given: an error body (non-2xx) for the error's code, type, waits and quotas, and for OpenRouter the
/// key endpoint's 200 body. Untrusted input never makes this throw: unusable values read as absent.
/// </remarks>
public static class RateLimitSignalReader
{
    /// <summary>
    /// The longest explicit server wait still worth retrying within a request: five minutes, the threshold
    /// gemini-cli uses to call a quota error terminal. A longer <see cref="RateLimitSignals.RetryAfter"/> makes
    /// <see cref="RateLimitSignals.Retryable"/> false; the wait itself is still reported.
    /// </summary>
    public static TimeSpan MaxRetryableWait { get; } = TimeSpan.FromMinutes(5);

    /// <summary>Reads a response's rate-limit signals.</summary>
    /// <param name="provider">Whose conventions to read the response with; <see cref="LlmProvider.Generic"/> reads <c>Retry-After</c> and OpenAI-style <c>x-ratelimit-*</c> headers.</param>
    /// <param name="response">The response; its content is not read.</param>
    /// <param name="body">The response body when the caller read it (normally only for non-2xx), else empty.</param>
    /// <param name="now">The client's clock when the response arrived: absolute resets and HTTP-dates are taken relative to it.</param>
    /// <returns>The signals; everything not reported is <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="provider"/> is not a defined <see cref="LlmProvider"/>.</exception>
    public static RateLimitSignals Read(LlmProvider provider, HttpResponseMessage response, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        if ((uint)provider > (uint)LlmProvider.Groq)
        {
            throw new ArgumentOutOfRangeException(nameof(provider), provider, $"The provider must be a defined {nameof(LlmProvider)} value.");
        }

        var signals = new RateLimitSignalsBuilder { Provider = provider, StatusCode = (int)response.StatusCode };
        ReadHeaders(response.Headers.NonValidated, now, ref signals);
        ReadHeaders(response.Content.Headers.NonValidated, now, ref signals);

        bool success = signals.StatusCode is >= 200 and < 300;
        if (!body.IsEmpty && (!success || provider == LlmProvider.OpenRouter))
        {
            ReadBody(body, success, now, ref signals);
        }

        RateLimitErrorClass errorClass = Classify(in signals);
        return signals.Build(errorClass, IsRetryable(in signals, errorClass));
    }

    private static void ReadHeaders(HttpHeadersNonValidated headers, DateTimeOffset now, ref RateLimitSignalsBuilder signals)
    {
        foreach (KeyValuePair<string, HeaderStringValues> header in headers)
        {
            foreach (string value in header.Value)
            {
                ReadHeader(header.Key, value, now, ref signals);
            }
        }
    }

    private static void ReadHeader(string name, string value, DateTimeOffset now, ref RateLimitSignalsBuilder signals)
    {
        if (RetryAfterHeader.TryRead(name, value, now, ref signals))
        {
            return;
        }

        switch (signals.Provider)
        {
            case LlmProvider.OpenAI:
            case LlmProvider.Generic:
                OpenAIRateLimitHeaders.TryRead(name, value, ref signals);
                break;
            case LlmProvider.AzureOpenAI:
                AzureOpenAIRateLimitHeaders.TryRead(name, value, ref signals);
                break;
            case LlmProvider.Groq:
                GroqRateLimitHeaders.TryRead(name, value, ref signals);
                break;
            case LlmProvider.Anthropic:
                AnthropicRateLimitHeaders.TryRead(name, value, now, ref signals);
                break;
            case LlmProvider.OpenRouter:
                OpenRouterRateLimitHeaders.TryRead(name, value, now, ref signals, onlyIfAbsent: false);
                break;
            case LlmProvider.Gemini:
                // The Gemini API sends no rate-limit headers; everything is in the 429 body.
                break;
        }
    }

    private static void ReadBody(ReadOnlySpan<byte> body, bool success, DateTimeOffset now, ref RateLimitSignalsBuilder signals)
    {
        using JsonDocument? document = JsonBody.TryParse(body);
        if (document is null)
        {
            return;
        }

        JsonElement root = document.RootElement;
        if (success)
        {
            signals.KeyInfo = OpenRouterKeyInfoBody.TryRead(root);
            return;
        }

        switch (signals.Provider)
        {
            case LlmProvider.Anthropic:
                AnthropicErrorBody.Read(root, ref signals);
                break;
            case LlmProvider.Gemini:
                GeminiErrorBody.Read(root, ref signals);
                break;
            case LlmProvider.OpenRouter:
                OpenRouterErrorBody.Read(root, now, ref signals);
                break;
            default:
                OpenAIErrorBody.Read(root, ref signals);
                break;
        }
    }

    private static RateLimitErrorClass Classify(in RateLimitSignalsBuilder signals)
    {
        int status = signals.StatusCode;
        if (status is >= 200 and < 300 or 0)
        {
            return RateLimitErrorClass.None;
        }

        if (signals.QuotaExhausted || status == 402)
        {
            return RateLimitErrorClass.QuotaExhausted;
        }

        if (status == 429)
        {
            return RateLimitErrorClass.RateLimited;
        }

        if (signals.Overloaded || status is 503 or 529)
        {
            return RateLimitErrorClass.Overloaded;
        }

        return status is 408 or 409 or >= 500 ? RateLimitErrorClass.TransientError : RateLimitErrorClass.Other;
    }

    private static bool? IsRetryable(in RateLimitSignalsBuilder signals, RateLimitErrorClass errorClass)
    {
        if (errorClass == RateLimitErrorClass.None)
        {
            return null;
        }

        bool retryable = errorClass is RateLimitErrorClass.RateLimited or RateLimitErrorClass.Overloaded or RateLimitErrorClass.TransientError;

        // The server's own verdict, as openai-python and anthropic-sdk-python obey it; it cannot revive a spent quota.
        if (signals.ShouldRetryHeader is bool shouldRetry && errorClass != RateLimitErrorClass.QuotaExhausted)
        {
            retryable = shouldRetry;
        }

        // A wait stated only in the text counts as much as a header's: hours in "Please try again in 14h29m" is a cap.
        return retryable && !(signals.RetryAfter > MaxRetryableWait) && !(signals.BodyRetryHint > MaxRetryableWait);
    }
}
