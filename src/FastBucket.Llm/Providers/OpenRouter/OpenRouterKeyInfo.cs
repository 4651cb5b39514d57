namespace FastBucket.Providers.OpenRouter;

/// <summary>
/// What OpenRouter's key endpoint (<c>GET /api/v1/key</c>) says about an API key's credit. Its deprecated
/// <c>rate_limit</c> object ("will always return -1") is deliberately not read.
/// </summary>
/// <param name="CreditLimitUsd">The key's credit limit in US dollars; <see langword="null"/> when unlimited.</param>
/// <param name="CreditRemainingUsd">Credit left under the limit in US dollars; <see langword="null"/> when unlimited.</param>
/// <param name="CreditLimitReset">How often the limit resets (<c>daily</c>, <c>weekly</c>, <c>monthly</c>); <see langword="null"/> when it never does.</param>
/// <param name="UsageUsd">Credit used by the key so far, in US dollars.</param>
/// <param name="IsFreeTier">Whether the account has never bought credits (free-model limits are lower then).</param>
public sealed record OpenRouterKeyInfo(double? CreditLimitUsd, double? CreditRemainingUsd, string? CreditLimitReset, double? UsageUsd, bool? IsFreeTier);
