namespace FastBucket.Quotas.Windows;

/// <summary>
/// What one success says about whether the provider refills continuously: whether its resets match a bucket's (see
/// <see cref="ContinuousRefillDetector.Matches"/>), and the reset of the dimension that decided it, by which the
/// detector tells a bucket's moving full time from a fixed window's edge.
/// </summary>
/// <param name="Matches">Whether the reported resets match a continuously refilled bucket (none contradicts).</param>
/// <param name="Dimension">The per-minute dimension whose reset is <paramref name="Reset"/>.</param>
/// <param name="Reset">That dimension's reported reset: the time until it is full again.</param>
internal readonly record struct RefillEvidence(bool Matches, QuotaDimension Dimension, TimeSpan Reset);
