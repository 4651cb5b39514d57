using FsCheck;
using FsCheck.Xunit;

namespace FastBucket.Tests.Waiters;

/// <summary>The wait queue's one wake timer: armed once, for the exact instant the head's tokens are there.</summary>
public sealed class AsyncAcquireTimerTests
{
    private static readonly TimeSpan OneTick = TimeSpan.FromTicks(1);
    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    [Theory]
    [InlineData(10, 1000.0, 7)]
    [InlineData(5, 3.0, 5)]
    [InlineData(1000, 123_456.0, 999)]
    [InlineData(3, 1.0 / 3600, 1)]
    public async Task AcquireAsync_HeadWaits_ArmsOneTimerForTheExactInstant(long capacity, double rate, long tokens)
    {
        var clock = new RecordingTimeProvider();
        using var bucket = new TokenBucket(capacity, rate, clock, initialTokens: 0);
        var expected = bucket.TimeUntil(tokens);
        Assert.True(expected > OneTick);
        clock.TakeArms();

        var wait = bucket.AcquireAsync(tokens);

        Assert.False(wait.IsCompleted);
        Assert.Equal([expected], clock.TakeArms());
        clock.Advance(expected - OneTick);
        Assert.False(wait.IsCompleted);
        Assert.Equal(0, clock.Fired);
        clock.Advance(OneTick);
        Assert.True(wait.IsCompletedSuccessfully);
        Assert.Equal(1, clock.Fired);
        await wait;
        Assert.Equal(0, bucket.Available);
        Assert.Empty(clock.TakeArms()); // nobody waits: the timer stays disarmed
    }

    [Fact]
    public async Task AcquireAsync_SecondWaiterBehindHead_IsServedByTheSameWakeAndArmsNothingNew()
    {
        var clock = new RecordingTimeProvider();
        using var bucket = new TokenBucket(10, 1000, clock, initialTokens: 0);

        var first = bucket.AcquireAsync(2);
        clock.TakeArms();
        var second = bucket.AcquireAsync(3);

        Assert.Empty(clock.TakeArms()); // only the head's instant matters
        clock.Advance(bucket.TimeUntil(2));
        Assert.True(first.IsCompletedSuccessfully);
        Assert.False(second.IsCompleted);
        var rearmed = Assert.Single(clock.TakeArms());
        Assert.Equal(bucket.TimeUntil(3), rearmed);
        clock.Advance(rearmed);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.Equal(2, clock.Fired);
        await first;
        await second;
    }

    [Fact]
    public async Task AcquireAsync_WaitLongerThanTheTimerMaximum_WaitsAndIsServedAtTheExactInstant()
    {
        // 100 days of refill: longer than a timer can be armed for (about 49.7 days).
        var clock = new RecordingTimeProvider();
        using var bucket = SlowBucket(clock);
        var expected = bucket.TimeUntil(100);

        var wait = bucket.AcquireAsync(100);

        Assert.False(wait.IsCompleted);
        clock.Advance(expected - OneTick);
        Assert.False(wait.IsCompleted);
        clock.Advance(OneTick);
        Assert.True(wait.IsCompletedSuccessfully);
        await wait;
        Assert.True(clock.TakeArms().All(due => due <= MaxTimerDue));
    }

    [Fact]
    public async Task AcquireAsync_TimeoutLongerThanTheTimerMaximum_TimesOutAtTheTimeout()
    {
        var clock = new RecordingTimeProvider();
        using var bucket = SlowBucket(clock);
        var timeout = TimeSpan.FromDays(60);

        var wait = bucket.AcquireAsync(100, timeout);

        clock.Advance(timeout - OneTick);
        Assert.False(wait.IsCompleted);
        clock.Advance(OneTick);
        Assert.True(wait.IsCompletedSuccessfully);
        Assert.False(await wait);
        Assert.Equal(0, bucket.QueuedCount);
        // Nothing was taken and nobody blocks the bucket: exactly 60 days of refill (the virtual clock is exact).
        Assert.Equal(60, bucket.Available);
        Assert.True(bucket.TryAcquire(60));
    }

    [Theory]
    [InlineData(21)]
    [InlineData(42)]
    [InlineData(57)]
    [InlineData(10_000_019)]
    public async Task AcquireAsync_Timeout_GivesUpExactlyAtTheTimeoutNotATickBefore(long timeoutTicks) =>
        Assert.True(await TimesOutExactlyAt(TimeSpan.FromTicks(timeoutTicks)));

    [Property(MaxTest = 200)]
    public bool AcquireAsync_AnyTimeout_GivesUpExactlyAtTheTimeout(PositiveInt timeoutTicks) =>
        TimesOutExactlyAt(TimeSpan.FromTicks(timeoutTicks.Get)).AsTask().GetAwaiter().GetResult();

    private static async ValueTask<bool> TimesOutExactlyAt(TimeSpan timeout)
    {
        var clock = new RecordingTimeProvider();
        using var bucket = SlowBucket(clock); // the tokens are 100 days away: only the timeout can end the wait

        var wait = bucket.AcquireAsync(100, timeout);

        clock.Advance(timeout - OneTick);
        if (wait.IsCompleted)
        {
            return false;
        }

        clock.Advance(OneTick);
        return wait.IsCompletedSuccessfully && !await wait && bucket.QueuedCount == 0;
    }

    private static TokenBucket SlowBucket(TimeProvider clock) => new(new TokenBucketOptions
    {
        Capacity = 365,
        TokensPerPeriod = 1,
        RefillPeriod = TimeSpan.FromDays(1),
        InitialTokens = 0,
        TimeProvider = clock,
    });
}
