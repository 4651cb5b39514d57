using System.CommandLine;

namespace FastBucket.Cli.Commands;

/// <summary>The <c>--no-live --json --progress-interval</c> options of the commands that run a batch.</summary>
internal sealed class ProgressOptions
{
    public Option<bool> NoLive { get; } = new("--no-live") { Description = "Print a plain progress line every few seconds instead of the live dashboard." };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the summary as one JSON object." };

    public Option<double> Interval { get; } = new("--progress-interval")
    {
        Description = "Seconds between plain progress lines.",
        DefaultValueFactory = _ => 5,
        Validators = { r => { if (r.GetValueOrDefault<double>() is < 0.1 or > 3600) r.AddError("--progress-interval must be from 0.1 to 3600 seconds."); } },
    };

    public void AddTo(Command command)
    {
        command.Options.Add(NoLive);
        command.Options.Add(Json);
        command.Options.Add(Interval);
    }
}
