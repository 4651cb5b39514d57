using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace FastBucket.Cli.Batch;

/// <summary>
/// The custom ids a run has taken, kept as 64-bit XxHash3 values so that a million-line input costs megabytes, not
/// the ids' strings. Two different ids collide with probability about n² / 2^65 (3 in 100 million for a million
/// lines); the second is then reported with its line number as a duplicate, never dropped silently.
/// </summary>
internal sealed class CustomIdSet
{
    private readonly HashSet<ulong> _hashes = [];

    /// <summary>Adds the id; <see langword="false"/> if it (or an id with the same hash) was added before.</summary>
    public bool Add(string customId) => _hashes.Add(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(customId.AsSpan())));
}
