using System.Threading.RateLimiting;

namespace FastBucket.RateLimiting;

/// <summary>
/// The one lease every granted acquire returns. A token bucket's permits are spent, never handed back, so a
/// granted lease carries no state and disposing it does nothing: one shared instance, no allocation per grant.
/// </summary>
internal sealed class GrantedLease : RateLimitLease
{
    internal static readonly GrantedLease Instance = new();

    private GrantedLease()
    {
    }

    public override bool IsAcquired => true;

    public override IEnumerable<string> MetadataNames => [];

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = null;
        return false;
    }
}
