namespace FastBucket.Providers;

/// <summary>One quota a provider says was exceeded (Gemini's <c>google.rpc.QuotaFailure</c> violations).</summary>
/// <param name="QuotaId">The quota's id, for example <c>GenerateRequestsPerMinutePerProjectPerModel-FreeTier</c>.</param>
/// <param name="Metric">The quota metric, for example <c>generativelanguage.googleapis.com/generate_content_free_tier_requests</c>, or <see langword="null"/>.</param>
/// <param name="Window">The period the quota counts over, read from the id (<c>PerMinute</c>, <c>PerHour</c>, <c>PerDay</c>), or <see langword="null"/>.</param>
/// <param name="Limit">The quota's value when the provider sent it, or <see langword="null"/>.</param>
public sealed record QuotaViolation(string QuotaId, string? Metric, RateLimitWindow? Window, long? Limit);
