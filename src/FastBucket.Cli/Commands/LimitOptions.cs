using System.CommandLine;
using FastBucket.Quotas;

namespace FastBucket.Cli.Commands;

/// <summary>The <c>--rpm --tpm --rpd --itpm --otpm --concurrency</c> options that state an account's limits.</summary>
internal sealed class LimitOptions
{
    public Option<long?> Rpm { get; } = Positive("--rpm", "Requests per minute.");

    public Option<long?> Tpm { get; } = Positive("--tpm", "Tokens (input + output) per minute.");

    public Option<long?> Rpd { get; } = Positive("--rpd", "Requests per day.");

    public Option<long?> Itpm { get; } = Positive("--itpm", "Input tokens per minute (Anthropic counts them apart).");

    public Option<long?> Otpm { get; } = Positive("--otpm", "Output tokens per minute.");

    public Option<int?> Concurrency { get; } = new("--concurrency")
    {
        Description = "Requests in flight at once, at most.",
        Validators = { r => { if (r.GetValueOrDefault<int?>() is <= 0) r.AddError("--concurrency must be a positive integer."); } },
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Rpm);
        command.Options.Add(Tpm);
        command.Options.Add(Rpd);
        command.Options.Add(Itpm);
        command.Options.Add(Otpm);
        command.Options.Add(Concurrency);
    }

    /// <summary>The limits stated on the command line, or <see langword="null"/> when none was.</summary>
    public QuotaLimits? Read(ParseResult parse)
    {
        var limits = new QuotaLimits
        {
            RequestsPerMinute = parse.GetValue(Rpm),
            TokensPerMinute = parse.GetValue(Tpm),
            RequestsPerDay = parse.GetValue(Rpd),
            InputTokensPerMinute = parse.GetValue(Itpm),
            OutputTokensPerMinute = parse.GetValue(Otpm),
            MaxConcurrency = parse.GetValue(Concurrency),
        };
        return limits == QuotaLimits.Unlimited ? null : limits;
    }

    private static Option<long?> Positive(string name, string description) => new(name)
    {
        Description = description,
        Validators = { r => { if (r.GetValueOrDefault<long?>() is <= 0) r.AddError($"{name} must be a positive integer."); } },
    };
}
