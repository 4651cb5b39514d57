namespace FastBucket.Benchmarks.Clocks;

/// <summary>
/// A coarse clock for the uncontended path: <see cref="Environment.TickCount64"/> (milliseconds; on Linux
/// CLOCK_MONOTONIC_COARSE, which advances once per kernel tick) instead of the high-resolution
/// <see cref="System.Diagnostics.Stopwatch"/>.
/// </summary>
/// <remarks>
/// <para><b>The price.</b> The bucket's virtual clock then advances in steps of one clock granularity g, so it
/// can lag real time by up to g and then jump. Over any interval the bucket can grant its capacity plus
/// <c>rate × (interval + g)</c>: up to <c>rate × g</c> tokens more burst than with the exact clock (for example
/// 4 tokens at 1,000 tokens/s with a 4 ms kernel tick), and a waiter can be woken up to g late.</para>
/// <para>Timers are the system's: only the timestamp is coarse.</para>
/// </remarks>
internal sealed class CoarseTimeProvider : TimeProvider
{
    /// <summary>The one instance; it has no state.</summary>
    public static CoarseTimeProvider Instance { get; } = new();

    /// <inheritdoc/>
    public override long TimestampFrequency => 1_000;

    /// <inheritdoc/>
    public override long GetTimestamp() => Environment.TickCount64;
}
