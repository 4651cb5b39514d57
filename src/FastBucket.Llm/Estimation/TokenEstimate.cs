using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Estimation;

/// <summary>The estimated cost of one request, with what is needed to calibrate later estimates.</summary>
/// <param name="Provider">The API the request goes to.</param>
/// <param name="Model">The model the estimate was made for (as given, or as read from the body); <see langword="null"/> when unknown.</param>
/// <param name="Cost">What to charge the quota: one request, the (calibrated) input tokens and the reserved output tokens.</param>
/// <param name="UncalibratedInputTokens">The input tokens as counted, before calibration.</param>
/// <param name="Method">How the input tokens were obtained.</param>
public readonly record struct TokenEstimate(
    LlmProvider Provider,
    string? Model,
    RequestCost Cost,
    long UncalibratedInputTokens,
    TokenEstimateMethod Method)
{
    /// <summary>
    /// Whether the provider's tokens-per-minute limit counts input tokens only (Gemini: its TPM quota is an input-token
    /// quota, so reserved output must not be charged to it): <see cref="Cost"/>'s
    /// <see cref="RequestCost.TokensPerMinute"/> is <see cref="TokensPerMinuteCharge.InputOnly"/>.
    /// </summary>
    public bool TokensPerMinuteCountsInputOnly => Cost.TokensPerMinute == TokensPerMinuteCharge.InputOnly;

    /// <summary>
    /// Input tokens of a prompt prefix expected to be read from the provider's prompt cache, left out of
    /// <see cref="RequestCost.InputTokens"/> because the provider does not charge cache reads to its input limit
    /// (Anthropic's ITPM); 0 when none.
    /// </summary>
    public long CachedInputTokens { get; init; }

    /// <summary>The cacheable prefix this request carries (Anthropic <c>cache_control</c>), for the estimator to learn from its answer.</summary>
    internal CacheablePrefix? Prefix { get; init; }

    /// <summary>The estimated tokens of <see cref="Prefix"/>, after the approximation's factor.</summary>
    internal long PrefixTokens { get; init; }
}
