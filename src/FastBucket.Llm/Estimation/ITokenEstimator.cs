using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Estimation;

/// <summary>
/// Estimates what a request costs before it is sent, from the request body the caller already holds,
/// and learns from what the provider later reports.
/// </summary>
/// <remarks>
/// Implementations never throw on a malformed body: a body that is not JSON, or not a request shape they
/// know, is charged a conservative <see cref="TokenEstimateMethod.Fallback"/> estimate instead.
/// Implementations are safe to call from many threads at once.
/// </remarks>
public interface ITokenEstimator
{
    /// <summary>Estimates the requests, input tokens and reserved output tokens of one request.</summary>
    /// <param name="provider">The API the request goes to; it selects the body format and the tokenizer.</param>
    /// <param name="model">
    /// The model, when the caller knows it (Gemini and Azure carry it in the URL); <see langword="null"/> reads the
    /// body's <c>model</c> property.
    /// </param>
    /// <param name="requestJsonUtf8">The request body as UTF-8 JSON.</param>
    /// <returns>The estimate; its <see cref="TokenEstimate.Cost"/> is what the quota should be charged.</returns>
    TokenEstimate Estimate(LlmProvider provider, string? model, ReadOnlySpan<byte> requestJsonUtf8);

    /// <summary>
    /// Reports the usage the provider returned for a request estimated earlier, so that later estimates for the
    /// same provider and model can be calibrated.
    /// </summary>
    /// <param name="estimate">The estimate <see cref="Estimate"/> returned for the request.</param>
    /// <param name="actual">The usage the provider reported.</param>
    void Reconcile(TokenEstimate estimate, TokenUsage actual);
}
