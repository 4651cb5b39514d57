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
    TokenEstimateMethod Method);
