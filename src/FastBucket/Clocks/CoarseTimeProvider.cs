namespace FastBucket;

/// <summary>
/// A clock that reads <see cref="Environment.TickCount64"/> (milliseconds, advancing at the operating system's tick:
/// 1 to 16 ms) instead of <see cref="System.Diagnostics.Stopwatch"/>. Give it to a bucket whose hot path must not pay
/// for a high-resolution clock read, which on virtual machines costs more than the bucket's CAS.
/// </summary>
/// <remarks>
/// <para><b>What it costs in precision.</b> The coarse clock is never ahead of real time and lags it by less than one
/// tick <c>g</c>. The bucket is exact on the clock it is given, so a window of real length <c>W</c> is at most
/// <c>W + g</c> long on this clock: over any real window, grants stay within <c>capacity + rate × (W + g)</c>. The extra
/// burst is at most <c>rate × g</c> tokens (10 tokens for 1,000/s on a 10 ms tick): keep it in mind when a limit is
/// strict, or lower the capacity by it. Waits are also up to one tick longer.</para>
/// <para>Timers (<see cref="TimeProvider.CreateTimer"/>) and <see cref="TimeProvider.GetUtcNow"/> are the system's.</para>
/// </remarks>
public sealed class CoarseTimeProvider : TimeProvider
{
    private CoarseTimeProvider()
    {
    }

    /// <summary>The one instance.</summary>
    public static CoarseTimeProvider Instance { get; } = new();

    /// <summary>1,000: timestamps are milliseconds.</summary>
    public override long TimestampFrequency => 1_000;

    /// <summary><see cref="Environment.TickCount64"/>: milliseconds since the system started, advancing at its tick.</summary>
    /// <returns>The timestamp.</returns>
    public override long GetTimestamp() => Environment.TickCount64;
}
