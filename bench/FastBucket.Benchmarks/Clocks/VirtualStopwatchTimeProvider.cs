namespace FastBucket.Benchmarks.Clocks;

/// <summary>
/// The system clock behind a provider that is not <see cref="TimeProvider.System"/>, so a bucket given it
/// reads the time through a virtual <see cref="TimeProvider.GetTimestamp"/> call (what every injected clock
/// costs) rather than calling <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> directly.
/// </summary>
internal sealed class VirtualStopwatchTimeProvider : TimeProvider
{
    /// <summary>The one instance; it has no state.</summary>
    public static VirtualStopwatchTimeProvider Instance { get; } = new();
}
