namespace FastBucket.Quotas;

/// <summary>
/// The provider said this quota is exhausted in a way waiting a minute does not fix (billing quota, spend cap,
/// a per-day quota): requests fail fast instead of retrying into the same wall.
/// </summary>
public sealed class QuotaExhaustedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public QuotaExhaustedException(QuotaKey quota, string reason, DateTimeOffset? resetsAt)
        : base(resetsAt is { } reset
            ? $"The {quota} quota is exhausted ({reason}); it resets at {reset:O}. Requests fail fast until then."
            : $"The {quota} quota is exhausted ({reason}) and the provider gave no reset time. Requests fail fast until the quota is reset (LlmQuota.ResetExhaustion) or the process restarts.")
    {
        Quota = quota;
        Reason = reason;
        ResetsAt = resetsAt;
    }

    /// <summary>Creates the exception with a message.</summary>
    public QuotaExhaustedException(string message)
        : base(message)
    {
        Reason = message;
    }

    /// <summary>Creates the exception with a default message.</summary>
    public QuotaExhaustedException()
        : this("The quota is exhausted.")
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public QuotaExhaustedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>The quota.</summary>
    public QuotaKey Quota { get; }

    /// <summary>What the provider said (an error code such as <c>insufficient_quota</c>).</summary>
    public string Reason { get; }

    /// <summary>When the provider said the quota resets, if it did.</summary>
    public DateTimeOffset? ResetsAt { get; }
}
