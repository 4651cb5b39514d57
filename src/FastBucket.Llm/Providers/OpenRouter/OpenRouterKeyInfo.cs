namespace FastBucket.Providers.OpenRouter;

/// <summary>
/// What OpenRouter's key endpoint (<c>GET /api/v1/key</c>) says about an API key's credit, and its request rate
/// limit where the older shape of the endpoint still states one.
/// </summary>
/// <param name="CreditLimitUsd">The key's credit limit in US dollars; <see langword="null"/> when unlimited.</param>
/// <param name="CreditRemainingUsd">Credit left under the limit in US dollars; <see langword="null"/> when unlimited.</param>
/// <param name="CreditLimitReset">How often the limit resets (<c>daily</c>, <c>weekly</c>, <c>monthly</c>); <see langword="null"/> when it never does.</param>
/// <param name="UsageUsd">Credit used by the key so far, in US dollars.</param>
/// <param name="IsFreeTier">Whether the account has never bought credits (free-model limits are lower then).</param>
public sealed record OpenRouterKeyInfo(double? CreditLimitUsd, double? CreditRemainingUsd, string? CreditLimitReset, double? UsageUsd, bool? IsFreeTier)
{
    /// <summary>
    /// Requests allowed per <see cref="RateLimitInterval"/>, from the older <c>rate_limit: {"requests", "interval"}</c>
    /// object; <see langword="null"/> when absent, negative (the deprecated placeholder's <c>-1</c>) or marked
    /// deprecated by a <c>note</c> (today's endpoint, whose values mean nothing).
    /// </summary>
    public long? RateLimitRequests { get; init; }

    /// <summary>The period <see cref="RateLimitRequests"/> counts over (<c>"10s"</c>, <c>"1m"</c>), or <see langword="null"/>.</summary>
    public TimeSpan? RateLimitInterval { get; init; }
}
