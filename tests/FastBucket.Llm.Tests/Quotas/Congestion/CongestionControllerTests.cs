using FastBucket.Quotas.Congestion;
using FsCheck;
using FsCheck.Xunit;

namespace FastBucket.Llm.Tests.Quotas.Congestion;

public sealed class CongestionControllerTests
{
    [Fact]
    public void OnRateLimited_FiveConcurrent429s_HalveOnce()
    {
        // Issue 14 item 12: five concurrent 429s took 16 RPM to 1.
        var aimd = new CongestionController(16);
        Assert.Equal(8, aimd.OnRateLimited(sentAt: 100, arrivedAt: 500));
        for (int i = 0; i < 4; i++)
        {
            Assert.Null(aimd.OnRateLimited(sentAt: 101 + i, arrivedAt: 510 + i));
        }

        Assert.Equal(8, aimd.Rate);
    }

    [Fact]
    public void OnRateLimited_RequestSentAfterTheFirst429Arrived_IsANewEvent()
    {
        var aimd = new CongestionController(16);
        aimd.OnRateLimited(100, 500);
        Assert.Equal(4, aimd.OnRateLimited(500, 900));
        Assert.Null(aimd.OnRateLimited(899, 950));
        Assert.Equal(4, aimd.Rate);
    }

    [Fact]
    public void OnSuccess_WithAStep_GrowsByItNeverPastTheCeiling()
    {
        var aimd = new CongestionController(10, ceiling: 25);
        aimd.OnRateLimited(100, 500);
        Assert.Equal(11, aimd.OnSuccess(500, step: 6));
        Assert.Equal(17, aimd.OnSuccess(500, step: 6));
        Assert.Equal(23, aimd.OnSuccess(500, step: 6));
        Assert.Equal(25, aimd.OnSuccess(500, step: 6));
        Assert.Null(aimd.OnSuccess(500, step: 6));
    }

    [Fact]
    public void OnSuccess_SentBeforeTheEvent_DoesNotGrow()
    {
        var aimd = new CongestionController(16);
        aimd.OnRateLimited(100, 500);
        Assert.Null(aimd.OnSuccess(400));
        Assert.Equal(9, aimd.OnSuccess(500));
    }

    [Fact]
    public void SetCeiling_LearnedLimit_CapsTheRate()
    {
        // Groq states its requests per minute only in the 429 message: once known, AIMD never passes it.
        var aimd = new CongestionController(40);
        aimd.SetCeiling(30);
        Assert.Equal(30, aimd.Rate);
        Assert.Null(aimd.OnSuccess(0));
        Assert.Equal(15, aimd.OnRateLimited(1, 2));
        for (int i = 0; i < 100; i++)
        {
            aimd.OnSuccess(10 + i);
        }

        Assert.Equal(30, aimd.Rate);
        Assert.Equal(30, aimd.Ceiling);
    }

    [Fact]
    public void OnRateLimited_AtTheFloor_StaysThere()
    {
        var aimd = new CongestionController(1);
        Assert.Equal(1, aimd.OnRateLimited(0, 1));
        Assert.Equal(1, aimd.Rate);
    }

    [Fact]
    public void Constructor_BadArguments_NameTheParameter()
    {
        Assert.Equal("initialRate", Assert.Throws<ArgumentOutOfRangeException>(() => new CongestionController(0)).ParamName);
        Assert.Equal("ceiling", Assert.Throws<ArgumentOutOfRangeException>(() => new CongestionController(5, ceiling: 0)).ParamName);
    }

    [Property(MaxTest = 300)]
    public void OnRateLimited_AnyArrivals_HalvesOncePerCongestionEvent(PositiveInt initial, int[] gaps)
    {
        // Requests are sent in time order; each 429 arrives some time after it was sent. An event starts with a 429
        // for a request sent at or after the current event's first arrival.
        var aimd = new CongestionController(initial.Get);
        long expected = initial.Get;
        long eventStart = long.MinValue;
        long sent = 0;
        var responses = (gaps ?? []).Select(g => (Sent: sent += Math.Abs(g % 100), Latency: 1 + Math.Abs(g / 100 % 300))).ToList();
        foreach (var (at, latency) in responses.OrderBy(r => r.Sent + r.Latency))
        {
            var halved = aimd.OnRateLimited(at, at + latency);
            if (at >= eventStart)
            {
                eventStart = at + latency;
                expected = Math.Max(1, expected / 2);
                Assert.Equal(expected, halved);
            }
            else
            {
                Assert.Null(halved);
            }
        }

        Assert.Equal(expected, aimd.Rate);
    }
}
