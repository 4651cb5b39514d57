using FastBucket.Estimation;
using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Extensions.AI.Tests.Infrastructure;

/// <summary>Charges every call the same cost and records what it was asked to estimate and reconcile.</summary>
internal sealed class FixedEstimator(RequestCost cost) : ITokenEstimator
{
    public List<(LlmProvider Provider, string? Model, string Body)> Estimated { get; } = [];

    public List<TokenUsage> Reconciled { get; } = [];

    public TokenEstimate Estimate(LlmProvider provider, string? model, ReadOnlySpan<byte> requestJsonUtf8)
    {
        lock (Estimated)
        {
            Estimated.Add((provider, model, System.Text.Encoding.UTF8.GetString(requestJsonUtf8)));
        }

        return new TokenEstimate(provider, model, cost, cost.InputTokens, TokenEstimateMethod.Approximate);
    }

    public void Reconcile(TokenEstimate estimate, TokenUsage actual)
    {
        lock (Reconciled)
        {
            Reconciled.Add(actual);
        }
    }
}
