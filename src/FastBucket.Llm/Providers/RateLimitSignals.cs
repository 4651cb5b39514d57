using FastBucket.Providers.OpenRouter;

namespace FastBucket.Providers;

/// <summary>
/// Everything one HTTP response said about rate limits: per-dimension limits, what remains and when it
/// resets, the server's explicit wait, a wait stated only in the error text, and how to treat the error.
/// </summary>
/// <remarks>
/// <para>
/// A value type so that reading a successful response allocates nothing; the reference-typed parts
/// (<see cref="QuotaViolations"/>, <see cref="KeyInfo"/>, the error strings) are only filled from error or
/// key-endpoint bodies. Pass it by <see langword="in"/> where copies matter: it is a few hundred bytes.
/// </para>
/// <para>
/// Everything not reported is <see langword="null"/>. Values a server sends that cannot be used are reported
/// as absent, never as zero: negative numbers (Azure sends <c>-1</c> for "not reported"), garbage, NaN and
/// infinities, and durations that overflow a <see cref="TimeSpan"/> or a 64-bit nanosecond count
/// (about 292 years). Absolute reset times already in the past read as a zero reset (the window has reset);
/// a <c>Retry-After</c> HTTP-date in the past reads as absent, as the HTTP-date names no wait at all then.
/// </para>
/// </remarks>
public readonly struct RateLimitSignals
{
    /// <summary>The provider whose conventions the response was read with.</summary>
    public LlmProvider Provider { get; init; }

    /// <summary>The HTTP status code of the response.</summary>
    public int StatusCode { get; init; }

    /// <summary>Requests (RPM; per day for Groq, see <see cref="RequestsWindow"/>).</summary>
    public RateLimitDimension Requests { get; init; }

    /// <summary>Tokens, input and output together (TPM).</summary>
    public RateLimitDimension Tokens { get; init; }

    /// <summary>Input tokens (Anthropic ITPM; Gemini input-token quotas).</summary>
    public RateLimitDimension InputTokens { get; init; }

    /// <summary>Output tokens (Anthropic OTPM).</summary>
    public RateLimitDimension OutputTokens { get; init; }

    /// <summary>Tokens counted for the whole project (OpenAI <c>x-ratelimit-*-project-tokens</c>).</summary>
    public RateLimitDimension ProjectTokens { get; init; }

    /// <summary>Priority Tier input tokens (Anthropic <c>anthropic-priority-input-tokens-*</c>).</summary>
    public RateLimitDimension PriorityInputTokens { get; init; }

    /// <summary>Priority Tier output tokens (Anthropic <c>anthropic-priority-output-tokens-*</c>).</summary>
    public RateLimitDimension PriorityOutputTokens { get; init; }

    /// <summary>The period <see cref="Requests"/> counts over, where the provider says: Groq's request headers count per day, Gemini's and OpenRouter's quotas name it.</summary>
    public RateLimitWindow? RequestsWindow { get; init; }

    /// <summary>
    /// The server's explicit wait before retrying: <c>retry-after-ms</c>, then <c>x-ms-retry-after-ms</c>, then
    /// <c>Retry-After</c> (seconds, fractions accepted, or an HTTP-date in RFC 1123, RFC 850 or asctime form),
    /// or Gemini's <c>google.rpc.RetryInfo.retryDelay</c>.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>A wait stated only in the error message text ("Please try again in 1.146s", "Please retry in 40.6s").</summary>
    public TimeSpan? BodyRetryHint { get; init; }

    /// <summary>What kind of failure this is.</summary>
    public RateLimitErrorClass ErrorClass { get; init; }

    /// <summary>The error's code as the body sent it (<c>rate_limit_exceeded</c>, <c>insufficient_quota</c>, <c>"429"</c>, <c>402</c>, <c>RESOURCE_EXHAUSTED</c>), or <see langword="null"/>.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The error's type as the body sent it (OpenAI <c>tokens</c>/<c>requests</c>/<c>insufficient_quota</c>, Anthropic <c>rate_limit_error</c>), or <see langword="null"/>.</summary>
    public string? ErrorType { get; init; }

    /// <summary>
    /// Whether retrying the request can succeed; <see langword="null"/> for a successful response. False for
    /// <see cref="RateLimitErrorClass.QuotaExhausted"/> and <see cref="RateLimitErrorClass.Other"/>, when the
    /// server sent <c>x-should-retry: false</c>, and when the server's explicit wait exceeds
    /// <see cref="RateLimitSignalReader.MaxRetryableWait"/>.
    /// </summary>
    public bool? Retryable { get; init; }

    /// <summary>The server's <c>x-should-retry</c> header (<c>true</c>/<c>false</c>), or <see langword="null"/>.</summary>
    public bool? ShouldRetryHeader { get; init; }

    /// <summary>The quotas the provider says were exceeded (Gemini), or <see langword="null"/>.</summary>
    public IReadOnlyList<QuotaViolation>? QuotaViolations { get; init; }

    /// <summary>The smallest quota value stated in the error ("limit: 0" in Gemini's message, or its <c>quotaValue</c>); zero means the model is not available on this tier.</summary>
    public long? QuotaLimit { get; init; }

    /// <summary>The token limit stated only in the error text ("... (TPM): Limit 50000, Used ..."), or <see langword="null"/>.</summary>
    public long? TokensLimitFromBody { get; init; }

    /// <summary>The request limit stated only in the error text (Groq's "on requests per minute (RPM): Limit 30", "limited to 8 requests per minute"), or <see langword="null"/>.</summary>
    public long? RequestsLimitFromBody { get; init; }

    /// <summary>
    /// The period the limit named in the error text counts over ("requests per minute", "tokens per day"), or
    /// <see langword="null"/> when the text names none. It applies to <see cref="RequestsLimitFromBody"/> or
    /// <see cref="TokensLimitFromBody"/>, whichever the text is about, and to nothing the headers report (Groq's
    /// request headers count per day while its 429 text may be about the minute).
    /// </summary>
    public RateLimitWindow? BodyLimitWindow { get; init; }

    /// <summary>OpenRouter's key information (from <c>GET /api/v1/key</c>), or <see langword="null"/> for every other response.</summary>
    public OpenRouterKeyInfo? KeyInfo { get; init; }

    /// <summary>Whether <see cref="ErrorCode"/> was a JSON number in the body (OpenRouter's <c>402</c>) rather than a string (Azure's <c>"429"</c>).</summary>
    internal bool ErrorCodeIsNumber { get; init; }
}
