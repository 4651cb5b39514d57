using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.Buckets;

public sealed class TokenBucketTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Constructor_Default_StartsFull()
    {
        var bucket = new TokenBucket(10, 1, _time);
        Assert.Equal(10, bucket.Available);
        Assert.Equal(10, bucket.Capacity);
        Assert.Equal(1.0, bucket.TokensPerSecond);
    }

    [Fact]
    public void Constructor_InitialTokens_StartsThere()
    {
        var bucket = new TokenBucket(10, 1, _time, initialTokens: 3);
        Assert.Equal(3, bucket.Available);
        Assert.False(bucket.TryAcquire(4));
        Assert.True(bucket.TryAcquire(3));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(TokenBucket.MaxCapacity + 1)]
    public void Constructor_CapacityOutOfRange_ThrowsNamingCapacityAndRange(long capacity)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucket(capacity, 1e6, _time));
        Assert.Equal("capacity", ex.ParamName);
        Assert.Contains("between 1 and", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e-6)]
    [InlineData(2e9)]
    public void Constructor_RateOutOfRange_ThrowsNamingRateAndRange(double rate)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucket(1, rate, _time));
        Assert.Equal("tokensPerSecond", ex.ParamName);
        Assert.Contains("one per day", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1L << 40, 60)] // 1.8e10 a second: above 2^31, where reducing the fraction divided by zero
    [InlineData(2_000_000_000L, 1)]
    [InlineData(1L, 86_401)] // under one a day
    public void Constructor_TokensPerPeriodOutOfRange_ThrowsNamingThePeriodAndRange(long tokens, int seconds)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucket(new TokenBucketOptions
        {
            Capacity = 1,
            TokensPerPeriod = tokens,
            RefillPeriod = TimeSpan.FromSeconds(seconds),
            TimeProvider = _time,
        }));
        Assert.Equal("options.RefillPeriod", ex.ParamName);
        Assert.Contains("one per day", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_CapacityOverOneYearOfRefill_ThrowsNamingCapacity()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucket(366, 1.0 / 86_400, _time));
        Assert.Equal("capacity", ex.ParamName);
        Assert.Contains("one year", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InitialTokensAboveCapacity_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucket(10, 1, _time, initialTokens: 11));
        Assert.Equal("initialTokens", ex.ParamName);
    }

    [Theory]
    [InlineData(1L, 1.0 / 86_400)]                 // one per day
    [InlineData(365L, 1.0 / 86_400)]               // a year of a per-day rate
    [InlineData(1_000_000_000_000L, 1e9)]          // 10^12 burst at 10^9 per second
    [InlineData(1_000_000_000_000L, 31_710)]       // 10^12 burst refilled within a year
    [InlineData(1L, 1e9)]
    public void Constructor_ExtremesOfRange_Work(long capacity, double rate)
    {
        var bucket = new TokenBucket(capacity, rate, _time);
        Assert.True(bucket.TryAcquire(capacity));
        Assert.False(bucket.TryAcquire(1));
        var wait = bucket.TimeUntil(1);
        Assert.True(wait > TimeSpan.Zero);
        _time.Advance(wait);
        Assert.True(bucket.TryAcquire(1));
    }

    [Fact]
    public void Factories_PerMinute_RefillExactlyAtMinuteRate()
    {
        var bucket = TokenBucket.PerMinute(600, _time);
        Assert.True(bucket.TryAcquire(600));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, bucket.Available);
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(600, bucket.Available);
    }

    [Fact]
    public void Factories_PerSecondHourDay_HaveThoseRates()
    {
        Assert.Equal(5.0, TokenBucket.PerSecond(5, _time).TokensPerSecond, 12);
        Assert.Equal(3600.0 / 3600, TokenBucket.PerHour(3600, _time).TokensPerSecond, 12);
        Assert.Equal(86_400.0 / 86_400, TokenBucket.PerDay(86_400, _time).TokensPerSecond, 12);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    [InlineData(11L)]
    public void TryAcquire_TokensOutOfRange_ThrowsNamingTokens(long tokens)
    {
        var bucket = new TokenBucket(10, 1, _time);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => bucket.TryAcquire(tokens));
        Assert.Equal("tokens", ex.ParamName);
        Assert.Contains("between 1 and the capacity, 10", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryAcquire_Refused_ReportsExactRetryAfterThatThenSucceeds()
    {
        var bucket = new TokenBucket(10, 4, _time);   // 4 per second: one token every 250 ms
        Assert.True(bucket.TryAcquire(10));
        Assert.False(bucket.TryAcquire(3, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(750), retryAfter);
        _time.Advance(retryAfter - TimeSpan.FromTicks(1));
        Assert.False(bucket.TryAcquire(3));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.True(bucket.TryAcquire(3, out var none));
        Assert.Equal(TimeSpan.Zero, none);
    }

    [Fact]
    public void Refund_NeverRaisesAboveCapacity()
    {
        var bucket = new TokenBucket(10, 1, _time);
        Assert.True(bucket.TryAcquire(4));
        bucket.Refund(100);
        Assert.Equal(10, bucket.Available);
    }

    [Fact]
    public void Refund_ReturnsTokensTaken()
    {
        var bucket = new TokenBucket(10, 1, _time);
        Assert.True(bucket.TryAcquire(8));
        bucket.Refund(5);
        Assert.Equal(7, bucket.Available);
    }

    [Fact]
    public void ForceAcquire_DrivesIntoDebt_RepaidAtRefillRate()
    {
        var bucket = new TokenBucket(10, 2, _time);
        Assert.Equal(-5, bucket.ForceAcquire(15));
        Assert.Equal(-5, bucket.Available);
        Assert.False(bucket.TryAcquire(1));
        Assert.Equal(TimeSpan.FromSeconds(3), bucket.TimeUntil(1));
        _time.Advance(TimeSpan.FromSeconds(2.5));
        Assert.Equal(0, bucket.Available);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(10, bucket.Available);
    }

    [Fact]
    public void ForceAcquire_BeyondOneYearOfDebt_IsClamped()
    {
        var bucket = new TokenBucket(10, 1, _time);
        long level = bucket.ForceAcquire(long.MaxValue);
        Assert.Equal(-31_536_000, level);
    }

    [Fact]
    public void SetAvailable_AdoptsLevelClampedToCapacity()
    {
        var bucket = new TokenBucket(100, 1, _time);
        bucket.SetAvailable(40);
        Assert.Equal(40, bucket.Available);
        bucket.SetAvailable(1_000);
        Assert.Equal(100, bucket.Available);
        bucket.SetAvailable(-7);
        Assert.Equal(-7, bucket.Available);
    }

    [Fact]
    public void ReduceAvailableTo_LowersButNeverRaises()
    {
        var bucket = new TokenBucket(100, 1, _time, initialTokens: 50);
        Assert.False(bucket.ReduceAvailableTo(70));
        Assert.Equal(50, bucket.Available);
        Assert.True(bucket.ReduceAvailableTo(20));
        Assert.Equal(20, bucket.Available);
    }

    [Fact]
    public void SetLimits_KeepsLevelAndAppliesNewRate()
    {
        var bucket = new TokenBucket(100, 1, _time);
        Assert.True(bucket.TryAcquire(60));
        bucket.SetLimits(200, 10);
        Assert.Equal(40, bucket.Available);
        Assert.Equal(200, bucket.Capacity);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(50, bucket.Available);
        Assert.True(bucket.TryAcquire(150) is false);
        _time.Advance(TimeSpan.FromSeconds(100));
        Assert.True(bucket.TryAcquire(200));
    }

    [Fact]
    public void SetLimits_ShrinkingCapacity_ClampsLevel()
    {
        var bucket = new TokenBucket(100, 1, _time);
        bucket.SetLimits(10, 1);
        Assert.Equal(10, bucket.Available);
        Assert.Throws<ArgumentOutOfRangeException>(() => bucket.TryAcquire(11));
    }

    [Fact]
    public void SetLimits_Exact_PerPeriodForm()
    {
        var bucket = new TokenBucket(10, 1, _time, initialTokens: 0);
        bucket.SetLimits(500, 500, TimeSpan.FromMinutes(1));
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(50, bucket.Available);
    }

    [Fact]
    public void SetLimits_BadValues_ThrowNamingParameter()
    {
        var bucket = new TokenBucket(10, 1, _time);
        Assert.Equal("capacity", Assert.Throws<ArgumentOutOfRangeException>(() => bucket.SetLimits(0, 1)).ParamName);
        Assert.Equal("tokensPerSecond", Assert.Throws<ArgumentOutOfRangeException>(() => bucket.SetLimits(10, double.NaN)).ParamName);
        Assert.Equal("period", Assert.Throws<ArgumentOutOfRangeException>(() => bucket.SetLimits(10, 1, TimeSpan.Zero)).ParamName);
    }

    [Fact]
    public void Dispose_ThenAcquire_ThrowsObjectDisposed()
    {
        var bucket = new TokenBucket(10, 1, _time);
        bucket.Dispose();
        Assert.Throws<ObjectDisposedException>(() => bucket.TryAcquire());
        Assert.Throws<ObjectDisposedException>(() => bucket.Refund(1));
        bucket.Dispose();
    }

    [Fact]
    public void TimeUntil_Full_IsZero_AndEmpty_IsExact()
    {
        var bucket = new TokenBucket(60, 1, _time);
        Assert.Equal(TimeSpan.Zero, bucket.TimeUntil(60));
        Assert.True(bucket.TryAcquire(60));
        Assert.Equal(TimeSpan.FromSeconds(60), bucket.TimeUntil(60));
    }

    [Fact]
    public void Available_IdleBucket_IsFullAfterCapacityOverRate()
    {
        var bucket = new TokenBucket(1_000, 7, _time, initialTokens: 0);
        _time.Advance(TimeSpan.FromSeconds(1_000.0 / 7) + TimeSpan.FromTicks(1));
        Assert.Equal(1_000, bucket.Available);
        Assert.True(bucket.TryAcquire(1_000));
    }

    [Fact]
    public void TryAcquire_AfterCenturyOfUptime_StillExact()
    {
        var bucket = new TokenBucket(10, 1e9, _time);
        for (int year = 0; year < 110; year += 5)
        {
            _time.Advance(TimeSpan.FromDays(365.25 * 5));
            Assert.True(bucket.TryAcquire(10));
            Assert.False(bucket.TryAcquire(1));
            Assert.Equal(TimeSpan.FromTicks(1), bucket.TimeUntil(1)); // 100 tokens per FakeTimeProvider tick
        }
    }

    [Fact]
    public void Constructor_Options_UsesPeriodExactly()
    {
        var bucket = new TokenBucket(new TokenBucketOptions { Capacity = 3, TokensPerPeriod = 3, RefillPeriod = TimeSpan.FromSeconds(10), TimeProvider = _time, InitialTokens = 0 });
        // One token takes 10/3 s = 33,333,333.3 ticks of 100 ns: there at tick 33,333,334, not before.
        _time.Advance(TimeSpan.FromTicks(33_333_333));
        Assert.Equal(0, bucket.Available);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, bucket.Available);
    }

    [Fact]
    public void Constructor_NullOptions_Throws() =>
        Assert.Throws<ArgumentNullException>(() => new TokenBucket(null!));
}
