namespace FastBucket.Providers;

/// <summary>
/// One limited dimension (requests, tokens, input tokens, ...) as one response reported it.
/// Each part is <see langword="null"/> when the response did not report it (or reported something unusable),
/// never zero by default: "not reported" and "nothing left" are different facts.
/// </summary>
public readonly record struct RateLimitDimension
{
    /// <summary>Creates a dimension from reported values.</summary>
    /// <param name="limit">The limit of the window, or <see langword="null"/>; not negative.</param>
    /// <param name="remaining">What is left in the window, or <see langword="null"/>; not negative.</param>
    /// <param name="reset">How long until the window refills, relative to the client's clock, or <see langword="null"/>; not negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is negative.</exception>
    public RateLimitDimension(long? limit, long? remaining, TimeSpan? reset)
    {
        if (limit < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "A limit must be null or at least 0.");
        }

        if (remaining < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(remaining), remaining, "Remaining must be null or at least 0.");
        }

        if (reset < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(reset), reset, "A reset must be null or at least zero.");
        }

        Limit = limit;
        Remaining = remaining;
        Reset = reset;
    }

    /// <summary>The limit of the window (for example requests per minute), or <see langword="null"/> when not reported.</summary>
    public long? Limit { get; }

    /// <summary>What is left in the current window, or <see langword="null"/> when not reported.</summary>
    public long? Remaining { get; }

    /// <summary>
    /// How long until the window is back to its limit, relative to the client's clock when the response
    /// arrived; <see langword="null"/> when not reported. A reset time already in the past reads as zero.
    /// </summary>
    public TimeSpan? Reset { get; }

    /// <summary>Whether the response reported nothing about this dimension.</summary>
    public bool IsEmpty => Limit is null && Remaining is null && Reset is null;
}
