namespace FastBucket.Simulator.Accounting;

/// <summary>
/// What one request costs in each kind of quantity. The provider decides what <see cref="Tokens"/> means:
/// OpenAI and Azure count input plus output, Gemini counts input only.
/// </summary>
/// <param name="Requests">Requests (1 for a request).</param>
/// <param name="Tokens">Tokens against TPM and TPD.</param>
/// <param name="InputTokens">Tokens against ITPM.</param>
/// <param name="OutputTokens">Tokens against OTPM.</param>
internal readonly record struct RequestCharge(long Requests, long Tokens, long InputTokens, long OutputTokens)
{
    public long AmountOf(RateLimitDimension dimension) => dimension switch
    {
        RateLimitDimension.RequestsPerMinute or RateLimitDimension.RequestsPerDay => Requests,
        RateLimitDimension.TokensPerMinute or RateLimitDimension.TokensPerDay => Tokens,
        RateLimitDimension.InputTokensPerMinute => InputTokens,
        RateLimitDimension.OutputTokensPerMinute => OutputTokens,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown rate-limit dimension."),
    };

    public bool IsNonNegative => Requests >= 0 && Tokens >= 0 && InputTokens >= 0 && OutputTokens >= 0;

    /// <summary>The part of this charge that <paramref name="actual"/> does not use, per component (never negative).</summary>
    public RequestCharge Minus(RequestCharge actual) => new(
        Math.Max(0, Requests - actual.Requests),
        Math.Max(0, Tokens - actual.Tokens),
        Math.Max(0, InputTokens - actual.InputTokens),
        Math.Max(0, OutputTokens - actual.OutputTokens));

    public bool IsZero => Requests == 0 && Tokens == 0 && InputTokens == 0 && OutputTokens == 0;

    public RequestCharge Negated() => new(-Requests, -Tokens, -InputTokens, -OutputTokens);

    /// <summary>This charge with the component that <paramref name="dimension"/> counts taken from <paramref name="source"/>.</summary>
    public RequestCharge WithComponentOf(RateLimitDimension dimension, RequestCharge source) => dimension switch
    {
        RateLimitDimension.RequestsPerMinute or RateLimitDimension.RequestsPerDay => this with { Requests = source.Requests },
        RateLimitDimension.TokensPerMinute or RateLimitDimension.TokensPerDay => this with { Tokens = source.Tokens },
        RateLimitDimension.InputTokensPerMinute => this with { InputTokens = source.InputTokens },
        RateLimitDimension.OutputTokensPerMinute => this with { OutputTokens = source.OutputTokens },
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown rate-limit dimension."),
    };
}
