using FastBucket.E2E.Contenders;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;

namespace FastBucket.E2E.Fidelity;

/// <summary>
/// One row group of the fidelity matrix: a simulator accounting profile, the provider API it speaks, the account's
/// limits and how many requests make a run of at least two minutes under them.
/// </summary>
/// <param name="Name">The row's name (the profile's, or the course scenario's).</param>
/// <param name="Accounting">The simulator's accounting profile.</param>
/// <param name="Provider">The API the simulator answers as.</param>
/// <param name="LibraryProvider">The provider FastBucket is told.</param>
/// <param name="Limits">The account's limits.</param>
/// <param name="Requests">Requests in the full run.</param>
/// <param name="SmokeRequests">Requests in the smoke run.</param>
internal sealed record FidelityProfile(string Name, string Accounting, SimulatedProvider Provider, LlmProvider LibraryProvider, RateLimits Limits, int Requests, int SmokeRequests)
{
    /// <summary>The model every request names: unknown to FastBucket's catalog, so "limits discovered" is learned from signals only.</summary>
    public const string Model = "fidelity-model";

    public static IReadOnlyList<FidelityProfile> All { get; } =
    [
        // An OpenAI-compatible server with plain token buckets (the simulator's original model), not OpenAI: told
        // OpenAI, the library follows OpenAI's documented one-second periods and must never use a bucket's first burst.
        new("lenient", "lenient", SimulatedProvider.OpenAI, LlmProvider.Generic, RateLimits.Parse("rpm=600,tpm=40000"), 300, 50),
        new("openai", "openai", SimulatedProvider.OpenAI, LlmProvider.OpenAI, RateLimits.Parse("rpm=500,tpm=40000"), 300, 50),
        new("azure", "azure", SimulatedProvider.AzureOpenAI, LlmProvider.AzureOpenAI, RateLimits.Parse("rpm=360,tpm=60000"), 300, 50),
        new("anthropic", "anthropic", SimulatedProvider.Anthropic, LlmProvider.Anthropic, RateLimits.Parse("rpm=1000,itpm=40000,otpm=16000"), 350, 50),
        new("gemini", "gemini", SimulatedProvider.Gemini, LlmProvider.Gemini, RateLimits.Parse("rpm=120,tpm=25000,rpd=10000"), 300, 50),
        new("openrouter-free", "openrouter-free", SimulatedProvider.OpenRouter, LlmProvider.OpenRouter, RateLimits.Parse("rpm=20,rpd=1000"), 70, 15),
        new("groq", "groq", SimulatedProvider.OpenAI, LlmProvider.Groq, RateLimits.Parse("rpm=30,tpm=12000,rpd=14400"), 90, 20),
    ];

    /// <summary>The course challenge: 20 concurrent Gemini free-tier calls at 10 RPM / 250,000 TPM / 250 RPD.</summary>
    public static FidelityProfile Course { get; } =
        new("gemini free tier, 20 concurrent (course)", "gemini", SimulatedProvider.Gemini, LlmProvider.Gemini, RateLimits.Parse("rpm=10,tpm=250000,rpd=250"), 20, 20);

    /// <summary>Every limit of the account, as its owner would give them to FastBucket.</summary>
    public QuotaLimits KnownLimits => new()
    {
        RequestsPerMinute = Limits.RequestsPerMinute,
        TokensPerMinute = Limits.TokensPerMinute,
        InputTokensPerMinute = Limits.InputTokensPerMinute,
        OutputTokensPerMinute = Limits.OutputTokensPerMinute,
        RequestsPerDay = Limits.RequestsPerDay,
        TokensPerDay = Limits.TokensPerDay,
    };

    /// <summary>What the single-bucket contenders are told: the RPM, and the TPM (else the ITPM; else no token limit to speak of).</summary>
    public LimitShape NaiveShape => new(
        Limits.RequestsPerMinute ?? 1_000_000,
        Limits.TokensPerMinute ?? Limits.InputTokensPerMinute ?? 100_000_000);

    public AccountingModel AccountingModel() => Simulator.Accounting.AccountingModel.Profile(Accounting);
}
