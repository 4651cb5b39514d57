using System.CommandLine;
using FastBucket.Cli.Commands;

namespace FastBucket.Cli;

/// <summary>The <c>fastbucket</c> command tree.</summary>
internal static class FastBucketCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("fastbucket: run LLM batches at the highest rate the limits allow, with no 429 storms.")
        {
            DemoCommand.Create(),
            RunCommand.Create(),
            ServeCommand.Create(),
            LimitsCommand.Create(),
            InspectCommand.Create(),
            MonitorCommand.Create(),
        };
        return root;
    }

    public static async Task<int> InvokeAsync(string[] args)
    {
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message).ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync("Run 'fastbucket --help' for usage.").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        // Ctrl-C is handled by the commands themselves (stop admitting, then abort), not by a termination timeout.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }
}
