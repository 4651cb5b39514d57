namespace FastBucket.Catalog;

/// <summary>
/// Limits configuration for hosted apps, bound from <see cref="SectionName"/>:
/// <code>
/// "FastBucket": { "Limits": {
///   "File": "limits.json",
///   "Tiers": { "openai": "tier-3" },
///   "Entries": [ { "Provider": "openai", "Model": "gpt-4o-mini", "Tier": "tier-3", "Rpm": 5000, "Tpm": 4000000 } ]
/// } }
/// </code>
/// Entries override the file, which overrides the embedded table. Use
/// <see cref="LimitsCatalog.FromConfiguration"/> to read the section with precise error messages, or bind this type
/// yourself and pass it to <see cref="LimitsCatalog.FromOptions"/>.
/// </summary>
public sealed class FastBucketLimitsOptions
{
    /// <summary>The configuration section these options are read from by convention.</summary>
    public const string SectionName = "FastBucket:Limits";

    /// <summary>A catalog file in the embedded table's JSON shape or in YAML (see README), whose entries override the embedded ones; relative to the current directory.</summary>
    public string? File { get; set; }

    /// <summary>The account's tier per provider (provider name to tier name), used when a lookup names no tier.</summary>
    public IDictionary<string, string> Tiers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Entries that override the file and the embedded table.</summary>
    public IList<LimitEntryOptions> Entries { get; } = new List<LimitEntryOptions>();
}
