using System.Diagnostics;

namespace FastBucket.Llm.Tests.Fuzz;

/// <summary>
/// Bounds on one parse of untrusted input: it must end (a hang guard, generous enough for a loaded machine, never a
/// speed claim) and allocate in proportion to its input, not without bound.
/// </summary>
internal static class Budget
{
    /// <summary>Far above any parse here; only a loop that never ends comes near it.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(20);

    /// <summary>Runs <paramref name="parse"/>; returns a failure message, or null when it stayed within its bounds.</summary>
    public static string? Check(string what, long inputBytes, long allowedPerInputByte, long allowedFixed, Action parse)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        parse();
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long allowed = allowedFixed + (allowedPerInputByte * inputBytes);
        if (clock.Elapsed > HangGuard)
        {
            return $"{what}: took {clock.Elapsed} on {inputBytes} bytes";
        }

        return allocated > allowed ? $"{what}: allocated {allocated} bytes on {inputBytes} bytes of input (allowed {allowed})" : null;
    }
}
