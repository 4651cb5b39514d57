namespace FastBucket.Simulator.Accounting.Enforcement;

/// <summary>One moment on both of the simulator's clocks: the monotonic timestamp that buckets and logs age by, and
/// the wall clock that windows and calendar days are aligned to.</summary>
/// <param name="Timestamp">The <see cref="TimeProvider.GetTimestamp"/> value.</param>
/// <param name="UtcNow">The <see cref="TimeProvider.GetUtcNow"/> value.</param>
internal readonly record struct AccountingInstant(long Timestamp, DateTimeOffset UtcNow)
{
    public static AccountingInstant Now(TimeProvider time) => new(time.GetTimestamp(), time.GetUtcNow());
}
