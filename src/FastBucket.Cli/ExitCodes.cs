namespace FastBucket.Cli;

/// <summary>The process exit codes, documented in README.</summary>
internal static class ExitCodes
{
    /// <summary>Every request succeeded (or the command did what it was asked).</summary>
    public const int Success = 0;

    /// <summary>Some requests failed, or the run was interrupted before the end.</summary>
    public const int SomeFailed = 1;

    /// <summary>The command line or the input could not be used (a missing file, a bad option, no API key).</summary>
    public const int UsageError = 2;
}
