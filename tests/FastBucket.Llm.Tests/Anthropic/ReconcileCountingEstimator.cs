using FastBucket.Estimation;
using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Llm.Tests.Anthropic;

/// <summary>The standard estimator, counting the usages it is asked to reconcile (each one a reservation reconciled with real usage).</summary>
internal sealed class ReconcileCountingEstimator : ITokenEstimator
{
    private readonly TokenEstimator _inner = new();
    private int _reconciled;

    public int Reconciled => Volatile.Read(ref _reconciled);

    public TokenEstimate Estimate(LlmProvider provider, string? model, ReadOnlySpan<byte> requestJsonUtf8) => _inner.Estimate(provider, model, requestJsonUtf8);

    public void Reconcile(TokenEstimate estimate, TokenUsage actual)
    {
        Interlocked.Increment(ref _reconciled);
        _inner.Reconcile(estimate, actual);
    }
}
