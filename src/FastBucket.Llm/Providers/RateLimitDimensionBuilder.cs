namespace FastBucket.Providers;

/// <summary>The parts of one <see cref="RateLimitDimension"/> while a response is being read.</summary>
internal struct RateLimitDimensionBuilder
{
    public long? Limit;
    public long? Remaining;
    public TimeSpan? Reset;

    public readonly bool IsEmpty => Limit is null && Remaining is null && Reset is null;

    public readonly RateLimitDimension Build() => new(Limit, Remaining, Reset);
}
