namespace FastBucket.Simulator.Accounting;

/// <summary>
/// The limits of each simulated provider. The defaults are published first-tier limits
/// (from provider-limits.json): OpenAI gpt-4o-mini tier 1, Anthropic Claude Sonnet tier 1, Gemini 2.5 Flash
/// tier 1, OpenRouter free models, and an Azure OpenAI deployment of 30,000 TPM (6 RPM per 1,000 TPM).
/// </summary>
public sealed class ProviderRateLimits
{
    /// <summary>OpenAI: 500 RPM, 200,000 TPM, 10,000 RPD by default.</summary>
    public PerKeyModelLimits OpenAI { get; set; } = PerKeyModelLimits.Uniform(new RateLimits { RequestsPerMinute = 500, TokensPerMinute = 200_000, RequestsPerDay = 10_000 });

    /// <summary>Anthropic: 50 RPM, 30,000 ITPM, 8,000 OTPM by default.</summary>
    public PerKeyModelLimits Anthropic { get; set; } = PerKeyModelLimits.Uniform(new RateLimits { RequestsPerMinute = 50, InputTokensPerMinute = 30_000, OutputTokensPerMinute = 8_000 });

    /// <summary>Gemini: 1,000 RPM, 1,000,000 TPM (input tokens), 10,000 RPD by default.</summary>
    public PerKeyModelLimits Gemini { get; set; } = PerKeyModelLimits.Uniform(new RateLimits { RequestsPerMinute = 1_000, TokensPerMinute = 1_000_000, RequestsPerDay = 10_000 });

    /// <summary>OpenRouter: 20 RPM, 50 RPD by default (free models).</summary>
    public PerKeyModelLimits OpenRouter { get; set; } = PerKeyModelLimits.Uniform(new RateLimits { RequestsPerMinute = 20, RequestsPerDay = 50 });

    /// <summary>Azure OpenAI: 180 RPM, 30,000 TPM per deployment by default.</summary>
    public PerKeyModelLimits AzureOpenAI { get; set; } = PerKeyModelLimits.Uniform(new RateLimits { RequestsPerMinute = 180, TokensPerMinute = 30_000 });

    /// <summary>Gets or sets the limits of one provider.</summary>
    /// <param name="provider">The provider.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="provider"/> is not a defined value.</exception>
    /// <exception cref="ArgumentNullException">The value set is <see langword="null"/>.</exception>
    public PerKeyModelLimits this[SimulatedProvider provider]
    {
        get => provider switch
        {
            SimulatedProvider.OpenAI => OpenAI,
            SimulatedProvider.Anthropic => Anthropic,
            SimulatedProvider.Gemini => Gemini,
            SimulatedProvider.OpenRouter => OpenRouter,
            SimulatedProvider.AzureOpenAI => AzureOpenAI,
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown provider."),
        };
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            switch (provider)
            {
                case SimulatedProvider.OpenAI: OpenAI = value; break;
                case SimulatedProvider.Anthropic: Anthropic = value; break;
                case SimulatedProvider.Gemini: Gemini = value; break;
                case SimulatedProvider.OpenRouter: OpenRouter = value; break;
                case SimulatedProvider.AzureOpenAI: AzureOpenAI = value; break;
                default: throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown provider.");
            }
        }
    }

    /// <summary>Sets the same default limits, and no overrides, for every provider.</summary>
    /// <param name="limits">The limits; each provider gets its own copy.</param>
    /// <exception cref="ArgumentNullException"><paramref name="limits"/> is <see langword="null"/>.</exception>
    public void SetAll(RateLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        foreach (SimulatedProvider provider in Enum.GetValues<SimulatedProvider>())
        {
            this[provider] = PerKeyModelLimits.Uniform(limits.Copy());
        }
    }

    internal ProviderRateLimits Copy()
    {
        var copy = new ProviderRateLimits();
        foreach (SimulatedProvider provider in Enum.GetValues<SimulatedProvider>())
        {
            copy[provider] = this[provider].Copy();
        }

        return copy;
    }
}
