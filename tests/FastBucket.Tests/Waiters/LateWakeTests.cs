using FastBucket.Tests.Clocks;

namespace FastBucket.Tests.Waiters;

/// <summary>The clock has moved past the head's due instant but the wake timer has not fired yet (timers fire on the OS tick).</summary>
public sealed class LateWakeTests
{
    [Fact]
    public async Task TryAcquireWithRetryAfter_WaitersTokensThereButWakeLate_ServesThemAndThenThisCall()
    {
        var clock = new HookedTimeProvider();
        var bucket = new TokenBucket(10, 10, clock, initialTokens: 0);
        var waiter = bucket.AcquireAsync(5).AsTask();

        clock.Skew = TimeSpan.FromSeconds(1).Ticks; // 10 tokens there; the timer (on the fake clock) has not fired

        Assert.True(bucket.TryAcquire(1, out var retryAfter));
        Assert.Equal(TimeSpan.Zero, retryAfter);
        await waiter;
        Assert.Equal(4, bucket.Available);
    }

    [Fact]
    public void TryAcquireWithRetryAfter_WaitersTokensThereButNotThisCalls_ReportsTheRealWait()
    {
        var clock = new HookedTimeProvider();
        var bucket = new TokenBucket(10, 10, clock, initialTokens: 0);
        _ = bucket.AcquireAsync(5).AsTask();

        clock.Skew = TimeSpan.FromMilliseconds(600).Ticks; // 6 tokens: the waiter's 5, not 5 more

        Assert.False(bucket.TryAcquire(5, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(400), retryAfter); // behind the waiter's 5, never "100 ns"
    }
}
