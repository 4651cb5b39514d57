using FastBucket.Cli;

return await FastBucketCommandLine.InvokeAsync(args).ConfigureAwait(false);
