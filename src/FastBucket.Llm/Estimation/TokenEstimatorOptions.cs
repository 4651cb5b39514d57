namespace FastBucket.Estimation;

/// <summary>Settings of a <see cref="TokenEstimator"/>.</summary>
public sealed class TokenEstimatorOptions
{
    /// <summary>The largest output reservation one request can get, whatever its <c>max_tokens</c> times <c>n</c> say.</summary>
    public const int MaxOutputTokens = 10_000_000;

    /// <summary>
    /// Usage samples after which the calibrator's ratio is trusted alone and <see cref="ColdStartInputMargin"/> no
    /// longer applies: with the calibrator's default smoothing, ten samples take its ratio 89% of the way from 1 to
    /// the provider's.
    /// </summary>
    public const int ColdStartObservations = 10;

    private Quotas.TokensPerMinuteCharge? _tokensPerMinuteCharge;
    private int _defaultOutputTokens = 1024;

    /// <summary>The clock that times how long a provider keeps a prompt prefix cached; <see langword="null"/> for <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }
    private double _coldStartInputMargin = 0.25;

    /// <summary>
    /// The share added to input estimates for a provider and model whose real usage the calibrator has not seen yet.
    /// Default 0.25; from 0 to 1. A provider's rate limiter may count a prompt differently from any local
    /// tokenizer, and before its first answer nothing tells by how much: a first burst of a whole window, estimated
    /// a few percent low, is what earns 429s. The margin is given back when each response reconciles its
    /// reservation, and no longer applied once the calibrator has <see cref="ColdStartObservations"/> samples. Only
    /// with a calibrator.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not from 0 to 1.</exception>
    public double ColdStartInputMargin
    {
        get => _coldStartInputMargin;
        set
        {
            if (!(value >= 0 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The cold-start input margin must be from 0 to 1.");
            }

            _coldStartInputMargin = value;
        }
    }

    /// <summary>
    /// How every estimate charges tokens per minute (see <see cref="Quotas.TokensPerMinuteCharge"/>), overriding each
    /// provider's documented rule; <see langword="null"/> (the default) for the documented rule: input only for Gemini,
    /// the larger of input and output kept for OpenAI, input plus output kept for Azure OpenAI, input plus output settled
    /// elsewhere. Set it for a deployment that counts otherwise (an OpenAI-compatible gateway that settles to usage).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined rule.</exception>
    public Quotas.TokensPerMinuteCharge? TokensPerMinuteCharge
    {
        get => _tokensPerMinuteCharge;
        set
        {
            if (value is { } rule && !Enum.IsDefined(rule))
            {
                throw new ArgumentOutOfRangeException(nameof(value), rule, "The tokens-per-minute charge must be one of the TokensPerMinuteCharge values.");
            }

            _tokensPerMinuteCharge = value;
        }
    }

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
