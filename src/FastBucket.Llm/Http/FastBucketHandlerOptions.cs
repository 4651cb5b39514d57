using FastBucket.Estimation;
using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Http;

/// <summary>Options for <see cref="FastBucketHandler"/>.</summary>
public sealed class FastBucketHandlerOptions
{
    /// <summary>The quotas to draw on; share one registry across clients of the same account. <see langword="null"/> for a registry of the handler's own with default options.</summary>
    public QuotaRegistry? Quotas { get; set; }

    /// <summary>The provider; <see langword="null"/> (default) to tell it from each request's host.</summary>
    public LlmProvider? Provider { get; set; }

    /// <summary>A label for the account when one process uses several keys (never the key itself).</summary>
    public string? Account { get; set; }

    /// <summary>Estimates each request's cost before it is sent; <see langword="null"/> for a <see cref="TokenEstimator"/> with a calibrator.</summary>
    public ITokenEstimator? Estimator { get; set; }

    /// <summary>Attempts after the first for retryable failures (429 with a wait, 408, 5xx, 529, connection failures). Default 6; 0 disables retries.</summary>
    public int MaxRetryAttempts { get; set; } = 6;

    /// <summary>The first backoff delay when the server names no wait; later ones grow exponentially with full jitter. Default 0.5 s.</summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait honoured before a retry, the server's included (default 120 s, near the official SDKs'): a longer one surfaces the error.</summary>
    public TimeSpan MaxRetryWait { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Most bytes of an error body read to find the provider's signals (default 64 KiB); the body stays readable by the caller.</summary>
    public int MaxErrorBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Called when a request's reservation is granted, with how long it waited for room (for dashboards and metrics).</summary>
    public Action<QuotaKey, TimeSpan>? OnReserved { get; set; }

    /// <summary>Called for each response's signals after the quota has adapted to them (for dashboards and logs).</summary>
    public Action<QuotaKey, RateLimitSignals>? OnSignals { get; set; }

    internal void Validate()
    {
        if (MaxRetryAttempts is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryAttempts), MaxRetryAttempts, "MaxRetryAttempts must be between 0 and 100.");
        }

        if (BaseRetryDelay < TimeSpan.Zero || BaseRetryDelay > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(BaseRetryDelay), BaseRetryDelay, "BaseRetryDelay must be between 0 and 10 minutes.");
        }

        if (MaxRetryWait < TimeSpan.Zero || MaxRetryWait > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryWait), MaxRetryWait, "MaxRetryWait must be between 0 and 1 hour.");
        }

        if (MaxErrorBodyBytes is < 0 or > 16 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxErrorBodyBytes), MaxErrorBodyBytes, "MaxErrorBodyBytes must be between 0 and 16 MiB.");
        }
    }
}
