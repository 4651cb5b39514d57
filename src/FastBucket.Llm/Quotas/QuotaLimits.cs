namespace FastBucket.Quotas;

/// <summary>
/// The limits of one provider account on one model. A <see langword="null"/> dimension is not limited.
/// Per-minute limits refill continuously at limit / 60 s with a burst of one minute's worth; per-day
/// limits at limit / 86,400 s with a burst of one day's worth.
/// </summary>
public sealed record QuotaLimits
{
    /// <summary>Requests per minute (RPM).</summary>
    public long? RequestsPerMinute { get; init; }

    /// <summary>Tokens per minute (TPM), input and output counted together.</summary>
    public long? TokensPerMinute { get; init; }

    /// <summary>Input tokens per minute (ITPM), as Anthropic counts them.</summary>
    public long? InputTokensPerMinute { get; init; }

    /// <summary>Output tokens per minute (OTPM), as Anthropic counts them.</summary>
    public long? OutputTokensPerMinute { get; init; }

    /// <summary>Requests per day (RPD).</summary>
    public long? RequestsPerDay { get; init; }

    /// <summary>Tokens per day (TPD).</summary>
    public long? TokensPerDay { get; init; }

    /// <summary>Requests in flight at once.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>A quota with no limit on any dimension.</summary>
    public static QuotaLimits Unlimited { get; } = new();
}
