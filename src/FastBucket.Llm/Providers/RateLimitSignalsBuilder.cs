using FastBucket.Providers.OpenRouter;
using FastBucket.Providers.Wire;

namespace FastBucket.Providers;

/// <summary>
/// The mutable state behind one <see cref="RateLimitSignals"/> while its response is read. Parsers only
/// ever store valid values here (non-negative counts and durations), so <see cref="Build"/> cannot throw.
/// </summary>
internal struct RateLimitSignalsBuilder
{
    public LlmProvider Provider;
    public int StatusCode;
    public RateLimitDimensionBuilder Requests;
    public RateLimitDimensionBuilder Tokens;
    public RateLimitDimensionBuilder InputTokens;
    public RateLimitDimensionBuilder OutputTokens;
    public RateLimitDimensionBuilder ProjectTokens;
    public RateLimitDimensionBuilder PriorityInputTokens;
    public RateLimitDimensionBuilder PriorityOutputTokens;
    public RateLimitWindow? RequestsWindow;

    // The three explicit waits are kept apart and resolved at the end, so header order does not matter:
    // retry-after-ms wins over x-ms-retry-after-ms, which wins over Retry-After (as openai-python and
    // anthropic-sdk-python read them), which wins over a body's RetryInfo.
    public TimeSpan? RetryAfterMilliseconds;
    public TimeSpan? MsRetryAfterMilliseconds;
    public TimeSpan? RetryAfterHeader;
    public TimeSpan? RetryAfterFromBody;

    public TimeSpan? BodyRetryHint;
    public string? ErrorCode;
    public bool ErrorCodeIsNumber;
    public string? ErrorType;
    public bool? ShouldRetryHeader;
    public List<QuotaViolation>? QuotaViolations;
    public long? QuotaLimit;
    public long? TokensLimitFromBody;
    public long? RequestsLimitFromBody;
    public RateLimitWindow? BodyLimitWindow;
    public OpenRouterKeyInfo? KeyInfo;

    /// <summary>Set by a body reader that recognised a quota that will not come back soon.</summary>
    public bool QuotaExhausted;

    /// <summary>Set by a body reader that recognised a capacity error (Anthropic <c>overloaded_error</c>, Gemini <c>UNAVAILABLE</c>).</summary>
    public bool Overloaded;

    public readonly TimeSpan? RetryAfter => RetryAfterMilliseconds ?? MsRetryAfterMilliseconds ?? RetryAfterHeader ?? RetryAfterFromBody;

    public readonly RateLimitSignals Build(RateLimitErrorClass errorClass, bool? retryable) => new()
    {
        Provider = Provider,
        StatusCode = StatusCode,
        Requests = Requests.Build(),
        Tokens = Tokens.Build(),
        InputTokens = InputTokens.Build(),
        OutputTokens = OutputTokens.Build(),
        ProjectTokens = ProjectTokens.Build(),
        PriorityInputTokens = PriorityInputTokens.Build(),
        PriorityOutputTokens = PriorityOutputTokens.Build(),
        RequestsWindow = RequestsWindow,
        RetryAfter = RetryAfter,
        BodyRetryHint = BodyRetryHint,
        ErrorClass = errorClass,
        ErrorCode = ErrorCode,
        ErrorCodeIsNumber = ErrorCodeIsNumber,
        ErrorType = ErrorType,
        Retryable = retryable,
        ShouldRetryHeader = ShouldRetryHeader,
        QuotaViolations = QuotaViolations,
        QuotaLimit = QuotaLimit,
        TokensLimitFromBody = TokensLimitFromBody,
        RequestsLimitFromBody = RequestsLimitFromBody,
        BodyLimitWindow = BodyLimitWindow,
        KeyInfo = KeyInfo,
    };
}
