namespace FastBucket.Estimation;

/// <summary>Settings of a <see cref="TokenEstimator"/>.</summary>
public sealed class TokenEstimatorOptions
{
    /// <summary>The largest output reservation one request can get, whatever its <c>max_tokens</c> times <c>n</c> say.</summary>
    public const int MaxOutputTokens = 10_000_000;

    private int _defaultOutputTokens = 1024;

    /// <summary>
    /// Output tokens reserved per choice when a request states no limit (no <c>max_tokens</c>,
    /// <c>max_completion_tokens</c>, <c>max_output_tokens</c> or <c>generationConfig.maxOutputTokens</c>).
    /// Default 1024; between 0 and <see cref="MaxOutputTokens"/>. Embedding requests always reserve 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or above <see cref="MaxOutputTokens"/>.</exception>
    public int DefaultOutputTokens
    {
        get => _defaultOutputTokens;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxOutputTokens);
            _defaultOutputTokens = value;
        }
    }
}
