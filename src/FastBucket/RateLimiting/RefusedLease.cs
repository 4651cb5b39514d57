using System.Threading.RateLimiting;

namespace FastBucket.RateLimiting;

/// <summary>
/// A refused acquire: carries <see cref="MetadataName.RetryAfter"/> (the bucket's own computation of when
/// the permits will be there) and, where the refusal was not about tokens, <see cref="MetadataName.ReasonPhrase"/>.
/// </summary>
internal sealed class RefusedLease : RateLimitLease
{
    private static readonly string[] s_retryAfter = [MetadataName.RetryAfter.Name];
    private static readonly string[] s_retryAfterAndReason = [MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name];
    private static readonly string[] s_reason = [MetadataName.ReasonPhrase.Name];

    private readonly TimeSpan? _retryAfter;
    private readonly string? _reason;

    internal RefusedLease(TimeSpan? retryAfter, string? reason)
    {
        _retryAfter = retryAfter;
        _reason = reason;
    }

    public override bool IsAcquired => false;

    public override IEnumerable<string> MetadataNames =>
        _retryAfter is null ? (_reason is null ? [] : s_reason) : (_reason is null ? s_retryAfter : s_retryAfterAndReason);

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (_retryAfter is { } retryAfter && metadataName == MetadataName.RetryAfter.Name)
        {
            metadata = retryAfter;
            return true;
        }

        if (_reason is not null && metadataName == MetadataName.ReasonPhrase.Name)
        {
            metadata = _reason;
            return true;
        }

        metadata = null;
        return false;
    }
}
