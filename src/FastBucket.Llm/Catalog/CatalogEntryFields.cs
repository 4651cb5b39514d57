namespace FastBucket.Catalog;

/// <summary>The fields of one catalog entry as read, before they are checked.</summary>
/// <remarks>Limits are already whole numbers here; each reader reports values that are not numbers itself.</remarks>
internal sealed class CatalogEntryFields
{
    public string? Provider { get; init; }

    public string? Model { get; init; }

    public string? Tier { get; init; }

    public long? Rpm { get; init; }

    public long? Tpm { get; init; }

    public long? Rpd { get; init; }

    public long? Itpm { get; init; }

    public long? Otpm { get; init; }

    public long? Tpd { get; init; }

    public long? MaxConcurrency { get; init; }

    public string? Source { get; init; }

    public string? AsOf { get; init; }

    public string? Notes { get; init; }

    public string? SharedAs { get; init; }
}
