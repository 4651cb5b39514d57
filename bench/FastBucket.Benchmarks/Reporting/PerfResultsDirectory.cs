namespace FastBucket.Benchmarks.Reporting;

/// <summary>Where results go: perf-results/ at the repository root, found from the working directory.</summary>
internal static class PerfResultsDirectory
{
    /// <summary>The perf-results directory (created if missing).</summary>
    public static string Locate()
    {
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FastBucket.sln")))
            {
                return Directory.CreateDirectory(Path.Combine(directory.FullName, "perf-results")).FullName;
            }
        }

        // Run from outside the repository: write beside the working directory rather than guess.
        return Directory.CreateDirectory(Path.Combine(Environment.CurrentDirectory, "perf-results")).FullName;
    }
}
