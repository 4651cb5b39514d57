namespace FastBucket.Quotas;

/// <summary>A non-retryable exhaustion a provider reported: its code, and how long until it resets (<see langword="null"/> when the provider gave no reset).</summary>
/// <param name="Code">The provider's error code or type, e.g. <c>insufficient_quota</c>.</param>
/// <param name="ResetsAfter">How long until the quota resets, or <see langword="null"/> when unknown.</param>
internal sealed record QuotaExhaustion(string Code, TimeSpan? ResetsAfter);
