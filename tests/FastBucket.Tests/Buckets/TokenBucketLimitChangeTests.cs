using System.Numerics;
using FastBucket.Tests.Clocks;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.Buckets;

/// <summary>
/// Limit changes, clock rebases and disposal landing between the steps of another operation. Each race is put in
/// place deterministically: <see cref="HookedTimeProvider"/> runs the other operation inside a clock read of the first.
/// </summary>
public sealed class TokenBucketLimitChangeTests
{
    private const double OnePerDay = 1.0 / 86_400;

    /// <summary>80 years: V passes the rebase threshold (2^61 units) at 10^9 tokens per second after 73 years.</summary>
    private static readonly TimeSpan PastRebaseThreshold = TimeSpan.FromDays(80 * 365);

    [Theory]
    [InlineData(1L << 18)] // tokens << F wraps to 0: granted for nothing before the fix
    [InlineData(1L << 17)] // tokens << F is the sign bit: the word corrupted into "disposed" before the fix
    [InlineData(2L)]
    public void TryAcquire_RateCutBetweenGenerationReadAndCas_ThrowsForTokensAboveNewCapacityAndKeepsWordSound(long tokens)
    {
        var clock = new HookedTimeProvider();
        var bucket = new TokenBucket(1L << 18, 1, clock);
        clock.AtRead(0, () => bucket.SetLimits(1, OnePerDay));

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => bucket.TryAcquire(tokens));

        Assert.Equal("tokens", ex.ParamName);
        Assert.Equal(1, bucket.Available);
        Assert.True(bucket.TryAcquire(1));
        Assert.False(bucket.TryAcquire(1));
        bucket.SetLimits(10, 1); // still live: no ObjectDisposedException
        Assert.Equal(0, bucket.Available);
    }

    [Fact]
    public void TryAcquire_RateCutBetweenGenerationReadAndCas_GrantsUnderNewLimitsOnly()
    {
        var clock = new HookedTimeProvider();
        var bucket = new TokenBucket(1L << 18, 1, clock);
        clock.AtRead(0, () => bucket.SetLimits(3, OnePerDay));

        Assert.True(bucket.TryAcquire(2));
        Assert.Equal(1, bucket.Available);
        Assert.False(bucket.TryAcquire(2));
    }

    [Fact]
    public async Task AcquireAsync_CapacityShrunkBelowQueuedRequest_FailsItAtOnceAndServesTheRest()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(10, 1, time, initialTokens: 0);
        var big = bucket.AcquireAsync(8).AsTask();
        var small = bucket.AcquireAsync(1).AsTask();
        Assert.False(big.IsCompleted);

        bucket.SetLimits(5, 1);

        Assert.Equal(1, bucket.QueuedCount); // failed inside SetLimits, not later
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => big);
        Assert.Equal("tokens", ex.ParamName);
        Assert.Contains("capacity", ex.Message, StringComparison.Ordinal);
        time.Advance(TimeSpan.FromSeconds(1));
        await small;
        Assert.Equal(0, bucket.QueuedCount);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(bucket.TryAcquire(5));
    }

    [Fact]
    public async Task AcquireAsync_CapacityShrunkBelowRequestBehindHead_FailsItWithoutWaitingForItsTurn()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(10, 1, time, initialTokens: 0);
        var head = bucket.AcquireAsync(2).AsTask();
        var big = bucket.AcquireAsync(9).AsTask();
        var last = bucket.AcquireAsync(1).AsTask();

        bucket.SetLimits(5, 1);

        Assert.Equal(3, bucket.QueuedTokens);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => big);
        time.Advance(TimeSpan.FromSeconds(3));
        await head;
        await last;
    }

    [Fact]
    public void TryAcquire_DisposedWhileRebasingTheClock_StaysDisposed()
    {
        var clock = new HookedTimeProvider();
        var bucket = new TokenBucket(10, 1e9, clock);
        clock.Fake.Advance(PastRebaseThreshold);

        // Read 0 is TryAcquire's; read 1 is the rebase's, after TryAcquire saw a live word.
        clock.AtRead(1, bucket.Dispose);

        Assert.Throws<ObjectDisposedException>(() => bucket.TryAcquire(1));
        Assert.Throws<ObjectDisposedException>(() => bucket.TryAcquire(1));
        Assert.Throws<ObjectDisposedException>(() => bucket.Refund(1));
    }

    [Fact]
    public void TryAcquire_EvictedWhileRebasingTheClock_StaysRetired()
    {
        var clock = new HookedTimeProvider();
        var bucket = new TokenBucket(10, 1e9, clock);
        clock.Fake.Advance(PastRebaseThreshold);
        bool retired = false;
        clock.AtRead(1, () => retired = bucket.TryRetireIfIdle(TimeSpan.Zero));

        Assert.Throws<ObjectDisposedException>(() => bucket.TryAcquire(1));

        Assert.True(retired);
        Assert.Throws<ObjectDisposedException>(() => bucket.TryAcquire(1));
        Assert.Null(bucket.IdleDuration);
    }

    [Fact]
    public void Refill_FractionalRateWithLargeTerms_NeverRunsFast()
    {
        // 1,812,081,106 tokens per 106,766,371 ticks: the nearest fraction with terms below 2^31 is above it.
        const long tokensPerPeriod = 1_812_081_106;
        const long periodTicks = 106_766_371;
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(new TokenBucketOptions
        {
            Capacity = 1_000_000_000_000_000,
            TokensPerPeriod = tokensPerPeriod,
            RefillPeriod = TimeSpan.FromTicks(periodTicks),
            TimeProvider = time,
            InitialTokens = 0,
        });

        time.Advance(TimeSpan.FromSeconds(1_000_000));

        var exact = new BigInteger(tokensPerPeriod) * 1_000_000 * TimeSpan.TicksPerSecond / periodTicks;
        Assert.True(bucket.Available <= exact, $"{bucket.Available} tokens after 10^6 s; exact refill is {exact}");
        Assert.True(bucket.Available >= exact - (exact >> 30) - 1, $"{bucket.Available} tokens after 10^6 s; exact refill is {exact}");
    }
}
