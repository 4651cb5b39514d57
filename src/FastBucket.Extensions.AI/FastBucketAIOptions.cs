using FastBucket.Estimation;
using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Extensions.AI;

/// <summary>Options for <see cref="FastBucketChatClient"/> and <see cref="FastBucketEmbeddingGenerator{TEmbedding}"/>.</summary>
public sealed class FastBucketAIOptions
{
    /// <summary>
    /// The quotas to draw on; share one registry across every client of the same account. <see langword="null"/> for the
    /// <see cref="QuotaRegistry"/> registered in the builder's services (<c>AddFastBucket</c>), else a registry of the
    /// middleware's own, disposed with it.
    /// </summary>
    public QuotaRegistry? Quotas { get; set; }

    /// <summary>
    /// The provider; <see langword="null"/> (default) to tell it from the inner client's metadata: its endpoint's host,
    /// then its provider name (<c>openai</c>, <c>anthropic</c>, ...).
    /// </summary>
    public LlmProvider? Provider { get; set; }

    /// <summary>A label for the account when one process uses several keys (never the key itself).</summary>
    public string? Account { get; set; }

    /// <summary>Estimates each call's cost; <see langword="null"/> for the builder's registered <see cref="ITokenEstimator"/>, else a calibrated <see cref="TokenEstimator"/>.</summary>
    public ITokenEstimator? Estimator { get; set; }

    /// <summary>The clock that measures waits; <see langword="null"/> for <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }
}
