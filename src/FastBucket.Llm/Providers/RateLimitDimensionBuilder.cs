namespace FastBucket.Providers;

/// <summary>The parts of one <see cref="RateLimitDimension"/> while a response is being read.</summary>
internal struct RateLimitDimensionBuilder
{
    public long? Limit;
    public long? Remaining;
    public TimeSpan? Reset;

    /// <summary>Set when the server said the whole dimension is not reported (Azure's <c>-1</c>): nothing of it is kept, whatever the header order.</summary>
    public bool Absent;

    public readonly bool IsEmpty => Absent || (Limit is null && Remaining is null && Reset is null);

    public readonly RateLimitDimension Build() => Absent ? default : new(Limit, Remaining, Reset);
}
