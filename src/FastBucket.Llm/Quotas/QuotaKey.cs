using FastBucket.Providers;

namespace FastBucket.Quotas;

/// <summary>Whose limits a quota enforces: a provider, a model, and optionally an account (API key alias, project, organisation).</summary>
/// <param name="Provider">The provider.</param>
/// <param name="Model">The model as sent in requests, e.g. <c>gpt-4o-mini</c>.</param>
/// <param name="Account">An account label when one process uses several keys; never the key itself.</param>
public readonly record struct QuotaKey(LlmProvider Provider, string Model, string? Account = null)
{
    /// <inheritdoc/>
    public override string ToString() => Account is null ? $"{Provider}/{Model}" : $"{Provider}/{Model}@{Account}";
}
