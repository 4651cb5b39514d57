namespace FastBucket.Providers;

/// <summary>The period a reported limit counts over.</summary>
public enum RateLimitWindow
{
    /// <summary>Per minute.</summary>
    Minute = 1,

    /// <summary>Per hour.</summary>
    Hour,

    /// <summary>Per day.</summary>
    Day,
}
