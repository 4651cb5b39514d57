using FastBucket.Quotas.Congestion;

namespace FastBucket.Llm.Tests.Quotas.Congestion;

public sealed class RequestPaceTests
{
    [Fact]
    public void OnRateLimited_FiveConcurrent429s_HalveOnce()
    {
        var pace = new RequestPace();
        Assert.True(pace.OnRateLimited(sentAt: 100, arrivedAt: 500));
        for (int i = 0; i < 4; i++)
        {
            Assert.False(pace.OnRateLimited(sentAt: 101 + i, arrivedAt: 510 + i));
        }

        Assert.Equal(RequestPace.Whole / 2, pace.Share);
        Assert.True(pace.OnRateLimited(sentAt: 500, arrivedAt: 900)); // sent after the first 429 arrived: a new event
        Assert.Equal(RequestPace.Whole / 4, pace.Share);
    }

    [Fact]
    public void OnRateLimited_ManyEvents_StopsAtAFloorOfASixtyFourthOfTheRate()
    {
        var pace = new RequestPace();
        for (long t = 1; t <= 20; t++)
        {
            pace.OnRateLimited(sentAt: t * 1000, arrivedAt: (t * 1000) + 1);
        }

        Assert.Equal(RequestPace.Floor, pace.Share);
        Assert.Equal(RequestPace.Whole / 64, RequestPace.Floor);
    }

    [Fact]
    public void OnSuccess_AfterAnEvent_GrowsByOneRequestOfTheLimitUpToTheWhole()
    {
        var pace = new RequestPace();
        pace.OnRateLimited(sentAt: 100, arrivedAt: 500);
        Assert.False(pace.OnSuccess(sentAt: 400, limit: 300)); // sent before the event: says nothing about the new pace
        Assert.Equal(RequestPace.Whole / 2, pace.Share);

        Assert.True(pace.OnSuccess(sentAt: 500, limit: 300));
        Assert.Equal((RequestPace.Whole / 2) + (RequestPace.Whole / 300), pace.Share);

        // Half of a limit of 300 is 150 requests: 150 more successes (a few more for the rounding of a step) make it whole.
        int successes = 1;
        while (pace.OnSuccess(sentAt: 600, limit: 300))
        {
            successes++;
        }

        Assert.InRange(successes, 150, 152);
        Assert.Equal(RequestPace.Whole, pace.Share);
    }
}
