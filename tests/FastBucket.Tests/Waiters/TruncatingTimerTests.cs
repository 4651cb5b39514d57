namespace FastBucket.Tests.Waiters;

/// <summary>A clock whose timers truncate sub-millisecond due times (system timers behind a custom provider).</summary>
public sealed class TruncatingTimerTests
{
    [Fact]
    public async Task AcquireAsync_TimersTruncateToWholeMilliseconds_WakeOncePerWaitAfterTheFirst()
    {
        var clock = new TruncatingTimerProvider();
        var bucket = new TokenBucket(1, 3, clock, initialTokens: 0); // a token every 333.33 ms: never a whole millisecond
        const int waits = 10;
        for (int i = 0; i < waits; i++)
        {
            var wait = bucket.AcquireAsync(1).AsTask();
            while (bucket.QueuedCount > 0)
            {
                clock.Fake.Advance(TimeSpan.FromTicks(1_000)); // 0.1 ms steps, so an early fire is seen as early
            }

            await wait;
        }

        // Without rounding each wait fires at 333 ms (early), then re-arms for a truncated 0 ms again and again.
        Assert.True(clock.Fired <= waits + 1, $"{clock.Fired} timer callbacks for {waits} waits");
    }
}
