using FastBucket.Quotas.Windows;

namespace FastBucket.Llm.Tests.Quotas.Windows;

/// <summary>Takes from a window until it refuses: what its rules admit now.</summary>
internal static class QuotaWindowDrain
{
    /// <summary>Takes <paramref name="amount"/> at a time until the window refuses; returns the total taken.</summary>
    public static long TakeAll(this QuotaWindow window, long amount)
    {
        long taken = 0;
        while (window.TryTake(amount, out _))
        {
            taken += amount;
        }

        return taken;
    }
}
