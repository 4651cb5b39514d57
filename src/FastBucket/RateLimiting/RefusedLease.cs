using System.Threading.RateLimiting;

namespace FastBucket.RateLimiting;

/// <summary>
/// A refused acquire. As the runtime's <c>TokenBucketRateLimiter</c> lease: <see cref="MetadataNames"/> is
/// <see cref="MetadataName.RetryAfter"/> alone, and it has a value (the bucket's own computation of when the
/// permits will be there) except for a wait ended by disposing the limiter.
/// </summary>
internal sealed class RefusedLease : RateLimitLease
{
    private static readonly string[] s_retryAfter = [MetadataName.RetryAfter.Name];

    private readonly TimeSpan? _retryAfter;

    internal RefusedLease(TimeSpan? retryAfter)
    {
        _retryAfter = retryAfter;
    }

    public override bool IsAcquired => false;

    public override IEnumerable<string> MetadataNames => s_retryAfter;

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (_retryAfter is { } retryAfter && metadataName == MetadataName.RetryAfter.Name)
        {
            metadata = retryAfter;
            return true;
        }

        metadata = null;
        return false;
    }
}
