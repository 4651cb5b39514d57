namespace FastBucket.Quotas;

/// <summary>
/// A quota store that can probe assumed limits: <see cref="QuotaRegistry"/> tells it when its limits are a catalog's
/// published defaults for a tier, not this account's, so that until the provider's first answer (at most
/// <see cref="LlmQuota.ColdRefillHold"/>) it sends one request at a time.
/// </summary>
internal interface IAssumedLimitsProbe
{
    /// <summary>The limits are assumed: one request at a time until the provider's first answer, at most <see cref="LlmQuota.ColdRefillHold"/>.</summary>
    void ProbeUntilFirstAnswer();
}
