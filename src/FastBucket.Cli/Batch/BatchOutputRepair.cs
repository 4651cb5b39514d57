namespace FastBucket.Cli.Batch;

/// <summary>What <see cref="BatchOutputFile.PrepareAsync"/> found in an existing output file.</summary>
/// <param name="Completed">The custom ids already answered successfully: a resumed run skips them.</param>
/// <param name="FailedDropped">Failed results removed so that their requests are sent again.</param>
/// <param name="CorruptDropped">Lines that were not complete results (a torn last line after a crash).</param>
/// <param name="DuplicatesDropped">Second successful lines for one custom id.</param>
internal sealed record BatchOutputRepair(HashSet<string> Completed, int FailedDropped, int CorruptDropped, int DuplicatesDropped);
