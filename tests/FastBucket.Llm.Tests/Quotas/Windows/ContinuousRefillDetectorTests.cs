using FastBucket.Llm.Tests.Providers;
using FastBucket.Providers;
using FastBucket.Quotas.Windows;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas.Windows;

public sealed class ContinuousRefillDetectorTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 15, 12, 0, 0, TimeSpan.Zero));

    [Theory]
    // OpenAI, captured (provider-vectors.json "openai-captured-ms-resets-usage-based"): 1 of 5,000 requests used, reset 12 ms.
    [InlineData(5_000, 4_999, 12)]
    // The same response's tokens: 24 of 160,000 used, reset 9 ms.
    [InlineData(160_000, 159_976, 9)]
    // A bucket of 40,000 per minute with 10,000 used is full again in 15 s.
    [InlineData(40_000, 30_000, 15_000)]
    public void Matches_ResetIsUsedOverTheRefillRate_True(long limit, long remaining, int resetMs) =>
        Assert.True(ContinuousRefillDetector.Matches(limit, remaining, TimeSpan.FromMilliseconds(resetMs), Minute));

    [Theory]
    // A fixed minute 37 s from its edge with 10 of 600 used (a bucket would be full in 1 s).
    [InlineData(600, 590, 37_000)]
    // A sliding log: full again when its newest charge expires, about a minute after it, whatever was used.
    [InlineData(40_000, 30_000, 59_400)]
    // A reset that came too early for what was used: 10,000 of 40,000 need 15 s.
    [InlineData(40_000, 30_000, 12_000)]
    public void Matches_ResetIndependentOfUse_False(long limit, long remaining, int resetMs) =>
        Assert.False(ContinuousRefillDetector.Matches(limit, remaining, TimeSpan.FromMilliseconds(resetMs), Minute));

    [Theory]
    [InlineData(600, 600L, 0)] // nothing used: every enforcement reports alike
    [InlineData(600, 59L, 59_000)] // under a tenth left: a log about to refill looks like a bucket about to be full
    [InlineData(600, null, 1_000)]
    [InlineData(0, 0L, 1_000)]
    public void Matches_NothingToTellApart_Null(long limit, long? remaining, int resetMs) =>
        Assert.Null(ContinuousRefillDetector.Matches(limit, remaining, TimeSpan.FromMilliseconds(resetMs), Minute));

    [Fact]
    public void Matches_RealOpenAICaptureReadThroughTheParser_BothFamiliesMatchABucket()
    {
        // The one capture in the shared vectors of a response a real server sent with fresh counts: OpenAI's buckets.
        var vector = ProviderVector.All["openai-captured-ms-resets-usage-based"];
        using var response = vector.ToResponse();
        var signals = RateLimitSignalReader.Read(vector.Provider, response, vector.Body, vector.Now);

        Assert.True(ContinuousRefillDetector.Matches(signals.Requests.Limit!.Value, signals.Requests.Remaining, signals.Requests.Reset, Minute));
        Assert.True(ContinuousRefillDetector.Matches(signals.Tokens.Limit!.Value, signals.Tokens.Remaining, signals.Tokens.Reset, Minute));
    }

    [Fact]
    public void Matches_NoReset_Null() => Assert.Null(ContinuousRefillDetector.Matches(600, 500, null, Minute));

    [Fact]
    public void Observe_ThreeMatchesOverTwoSeconds_Continuous()
    {
        var detector = new ContinuousRefillDetector(_time);
        Assert.Null(detector.Observe(true));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(detector.Observe(true));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(detector.Observe(true));
        Assert.True(detector.Continuous);
    }

    [Fact]
    public void Observe_ThreeMatchesInOneInstant_NotYet()
    {
        // One burst's responses were all admitted together: a fixed window can match a bucket for that instant.
        var detector = new ContinuousRefillDetector(_time);
        for (int i = 0; i < 10; i++)
        {
            Assert.Null(detector.Observe(true));
        }

        Assert.Null(detector.Continuous);
        _time.Advance(ContinuousRefillDetector.RequiredSpan);
        Assert.True(detector.Observe(true));
    }

    [Fact]
    public void Observe_AContradictionBetweenMatches_StartsTheCountAgain()
    {
        var detector = new ContinuousRefillDetector(_time);
        detector.Observe(true);
        _time.Advance(TimeSpan.FromSeconds(2));
        detector.Observe(true);
        Assert.Null(detector.Observe(false));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(detector.Observe(true));
        Assert.Null(detector.Observe(true));
        Assert.Null(detector.Continuous);
    }

    [Fact]
    public void Observe_ThreeContradictionsInARowAfterLearning_SafeShapeForGood()
    {
        var detector = Learned();
        Assert.Null(detector.Observe(false));
        Assert.Null(detector.Observe(true)); // one match in between starts the count again
        Assert.Null(detector.Observe(false));
        Assert.Null(detector.Observe(false));
        Assert.False(detector.Observe(false));
        Assert.False(detector.Continuous);

        for (int i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.Null(detector.Observe(true));
        }

        Assert.False(detector.Continuous);
    }

    [Fact]
    public void OnBurstRefused_AfterLearning_EndsTheBucketReadingForGood()
    {
        var detector = Learned();
        Assert.True(detector.OnBurstRefused());
        Assert.False(detector.Continuous);
        Assert.False(detector.OnBurstRefused());
    }

    [Fact]
    public void OnBurstRefused_BeforeLearning_NeverLearnsAfter()
    {
        var detector = new ContinuousRefillDetector(_time);
        Assert.False(detector.OnBurstRefused());
        for (int i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.Null(detector.Observe(true));
        }

        Assert.False(detector.Continuous);
    }

    private ContinuousRefillDetector Learned()
    {
        var detector = new ContinuousRefillDetector(_time);
        for (int i = 0; i < ContinuousRefillDetector.RequiredInARow; i++)
        {
            detector.Observe(true);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(detector.Continuous);
        return detector;
    }
}
