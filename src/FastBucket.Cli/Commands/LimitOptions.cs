using System.CommandLine;
using FastBucket.Quotas;

namespace FastBucket.Cli.Commands;

/// <summary>The options that state an account's limits, one per row of the dimension table (<c>--rpm --tpm --itpm --otpm --rpd --tpd --concurrency</c>).</summary>
internal sealed class LimitOptions
{
    private readonly (QuotaDimensionInfo Dimension, Option<long?> Option)[] _options =
        [.. QuotaDimensions.All.Select(d => (d, Positive(d.CliName, d.Description, d.IsRate ? long.MaxValue : int.MaxValue)))];

    public void AddTo(Command command)
    {
        foreach (var (_, option) in _options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The limits stated on the command line, or <see langword="null"/> when none was.</summary>
    public QuotaLimits? Read(ParseResult parse)
    {
        var limits = QuotaLimits.Unlimited;
        foreach (var (dimension, option) in _options)
        {
            limits = dimension.With(limits, parse.GetValue(option));
        }

        return limits == QuotaLimits.Unlimited ? null : limits;
    }

    private static Option<long?> Positive(string name, string description, long max) => new(name)
    {
        Description = description,
        Validators = { r => { if (r.GetValueOrDefault<long?>() is <= 0 || r.GetValueOrDefault<long?>() > max) r.AddError($"{name} must be a positive integer (at most {max})."); } },
    };
}
