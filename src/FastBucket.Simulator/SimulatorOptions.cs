using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Faults;
using FastBucket.Simulator.Latency;

namespace FastBucket.Simulator;

/// <summary>
/// How a <see cref="ProviderSimulator"/> listens and behaves. Plain settable properties, so that a command
/// line or <c>IConfiguration</c> can bind them; the compact parsers <see cref="RateLimits.Parse"/>,
/// <see cref="LatencyOptions.Parse"/> and <see cref="FaultOptions.Parse"/> read one-argument forms.
/// The simulator copies the options when it starts: changing them afterwards has no effect.
/// </summary>
public sealed class SimulatorOptions
{
    /// <summary>The loopback port to listen on; 0 (the default) picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>The seed of every random draw (latency, faults, output lengths, ids, text); <see langword="null"/> for a random seed.</summary>
    /// <remarks>Each request draws from its own source derived from the seed and the request's arrival number, so a sequence of requests replays exactly.</remarks>
    public int? Seed { get; set; }

    /// <summary>Whether Kestrel and hosting log to the console; off by default.</summary>
    public bool EnableLogging { get; set; }

    /// <summary>The clock of the rate-limit accounting and of latency delays; <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The limits of each provider's (API key, model) accounts.</summary>
    public ProviderRateLimits RateLimits { get; set; } = new();

    /// <summary>
    /// How accounts count against their limits and which signals they send: a named profile
    /// (<see cref="AccountingModel.Profile"/>: lenient, openai, azure, anthropic, gemini, openrouter-free, groq) or a
    /// model set dimension by dimension. <see cref="AccountingModel.Lenient"/> by default.
    /// </summary>
    public AccountingModel Accounting { get; set; } = AccountingModel.Lenient();

    /// <summary>Delays before the first byte and between streamed chunks.</summary>
    public LatencyOptions Latency { get; set; } = new();

    /// <summary>Fault injection rates.</summary>
    public FaultOptions Faults { get; set; } = new();

    /// <summary>The fewest output tokens a generation produces (unless the request allows fewer); 1 by default.</summary>
    public int MinOutputTokens { get; set; } = 1;

    /// <summary>
    /// The fewest output tokens as a share of the request's maximum, from 0 (the default) to 1: with 0.3 a request
    /// of max_tokens 400 generates 120 to 400 tokens, drawn uniformly. The larger of this and <see cref="MinOutputTokens"/> applies.
    /// </summary>
    public double MinOutputShare { get; set; }

    /// <summary>The output-token maximum of a request that states none, used for admission and generation; 256 by default.</summary>
    public int DefaultMaxOutputTokens { get; set; } = 256;

    /// <summary>How many output tokens each streamed chunk carries; 4 by default.</summary>
    public int TokensPerChunk { get; set; } = 4;

    /// <summary>How many charge-log entries are kept, most recent last; 100,000 by default, 0 to keep none.</summary>
    public int ChargeLogCapacity { get; set; } = 100_000;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 0, "options.Port");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65_535, "options.Port");
        ArgumentNullException.ThrowIfNull(TimeProvider, "options.TimeProvider");
        ArgumentNullException.ThrowIfNull(RateLimits, "options.RateLimits");
        ArgumentNullException.ThrowIfNull(Latency, "options.Latency");
        ArgumentNullException.ThrowIfNull(Accounting, "options.Accounting");
        Accounting.Validate("options.Accounting");
        ArgumentNullException.ThrowIfNull(Faults, "options.Faults");
        ArgumentOutOfRangeException.ThrowIfNegative(MinOutputTokens, "options.MinOutputTokens");
        if (!(MinOutputShare >= 0 && MinOutputShare <= 1))
        {
            throw new ArgumentOutOfRangeException("options.MinOutputShare", MinOutputShare, "options.MinOutputShare must be from 0 to 1.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(DefaultMaxOutputTokens, 1, "options.DefaultMaxOutputTokens");
        ArgumentOutOfRangeException.ThrowIfLessThan(TokensPerChunk, 1, "options.TokensPerChunk");
        ArgumentOutOfRangeException.ThrowIfNegative(ChargeLogCapacity, "options.ChargeLogCapacity");
        Latency.Validate();
        Faults.Validate();

        foreach (SimulatedProvider provider in Enum.GetValues<SimulatedProvider>())
        {
            PerKeyModelLimits limits = RateLimits[provider] ?? throw new ArgumentNullException($"options.RateLimits.{provider}");
            ValidateLimits(limits.Default, $"options.RateLimits.{provider}.Default");
            for (int i = 0; i < limits.Overrides.Count; i++)
            {
                RateLimitOverride entry = limits.Overrides[i] ?? throw new ArgumentNullException($"options.RateLimits.{provider}.Overrides[{i}]");
                ValidateLimits(entry.Limits, $"options.RateLimits.{provider}.Overrides[{i}].Limits");
            }
        }
    }

    private static void ValidateLimits(RateLimits? limits, string name)
    {
        ArgumentNullException.ThrowIfNull(limits, name);
        foreach (RateLimitDimension dimension in Enum.GetValues<RateLimitDimension>())
        {
            if (limits[dimension] is long limit && limit < 1)
            {
                throw new ArgumentOutOfRangeException($"{name}.{dimension}", limit, $"{name}.{dimension} must be from 1 to {long.MaxValue}, or null for no limit.");
            }
        }
    }
}
