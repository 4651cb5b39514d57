using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Redis.Tests.Quotas;

public sealed class RedisOutageBreakerTests
{
    [Fact]
    public void OnAbandoned_ProbeEndedByANonRedisException_NextProbeGoesAfterTheBackoff()
    {
        var time = new FakeTimeProvider();
        var breaker = new RedisOutageBreaker(time);
        breaker.OnFailure();
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(breaker.TryEnter()); // the probe
        Assert.False(breaker.TryEnter()); // one at a time
        breaker.OnAbandoned(); // it threw something that says nothing about Redis
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(breaker.TryEnter()); // not stuck waiting for the abandoned probe's answer
        breaker.OnSuccess();
        Assert.False(breaker.IsOpen);
    }

    [Theory]
    [InlineData(0.0003, 1)]
    [InlineData(1.2, 2)]
    [InlineData(250, 250)]
    public void SleepFor_WaitFromRedis_IsWholeMillisecondsRoundedUpNeverZero(double milliseconds, int expected) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expected), RedisQuotaWaitQueue.SleepFor(TimeSpan.FromMilliseconds(milliseconds)));
}
