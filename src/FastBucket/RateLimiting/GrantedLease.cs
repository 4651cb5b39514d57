using System.Threading.RateLimiting;

namespace FastBucket.RateLimiting;

/// <summary>
/// The one lease every granted acquire returns. A token bucket's permits are spent, never handed back, so a
/// granted lease carries no state and disposing it does nothing: one shared instance, no allocation per grant.
/// As the runtime's <c>TokenBucketRateLimiter</c> lease, it names <see cref="MetadataName.RetryAfter"/> among its
/// metadata names but has no value for it.
/// </summary>
internal sealed class GrantedLease : RateLimitLease
{
    internal static readonly GrantedLease Instance = new();

    private GrantedLease()
    {
    }

    public override bool IsAcquired => true;

    private static readonly string[] s_metadataNames = [MetadataName.RetryAfter.Name];

    public override IEnumerable<string> MetadataNames => s_metadataNames;

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = null;
        return false;
    }
}
