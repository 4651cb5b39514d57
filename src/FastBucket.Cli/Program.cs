using FastBucket.Cli;

if (Console.IsOutputRedirected)
{
    // Redirected output has no width; Spectre would assume 80 columns and fold every table.
    Spectre.Console.AnsiConsole.Profile.Width = 200;
}

return await FastBucketCommandLine.InvokeAsync(args).ConfigureAwait(false);
