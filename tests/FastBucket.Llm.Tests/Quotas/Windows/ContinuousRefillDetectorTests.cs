using FastBucket.Llm.Tests.Providers;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Quotas.Windows;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas.Windows;

public sealed class ContinuousRefillDetectorTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 15, 12, 0, 0, TimeSpan.Zero));
    private int _moves;

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
    public void Observe_ThreeMatchesWhoseFullTimeMoves_Continuous()
    {
        // A bucket: each response's charge pushes the moment it is full again later (2 s, then 3.5 s, then 5 s away).
        var detector = new ContinuousRefillDetector(_time);
        Assert.Null(detector.Observe(Match(2_000)));
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Null(detector.Observe(Match(3_500)));
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(detector.Observe(Match(5_000)));
        Assert.True(detector.Continuous);
    }

    [Fact]
    public void Observe_MatchesAtAFixedEdge_NeverContinuous()
    {
        // A fixed window whose edge happens to sit where a bucket would be full: its reset shrinks one second per second,
        // as a bucket's does while nothing is charged, but the edge never moves, whatever is charged.
        var detector = new ContinuousRefillDetector(_time);
        for (int i = 0; i < 10; i++)
        {
            Assert.Null(detector.Observe(Match(12_000 - (1_000 * i))));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Null(detector.Continuous);
    }

    [Fact]
    public void Observe_FullTimesWithinTheTolerance_NotYet()
    {
        // Read with the headers' rounding and the response's transit, a fixed edge wanders by up to the tolerance.
        var detector = new ContinuousRefillDetector(_time);
        TimeSpan reset = TimeSpan.FromSeconds(10);
        TimeSpan wander = ContinuousRefillDetector.RequiredMovement(reset) - TimeSpan.FromMilliseconds(1);
        Assert.Null(detector.Observe(new RefillEvidence(true, QuotaDimension.TokensPerMinute, reset)));
        Assert.Null(detector.Observe(new RefillEvidence(true, QuotaDimension.TokensPerMinute, reset + wander)));
        Assert.Null(detector.Observe(new RefillEvidence(true, QuotaDimension.TokensPerMinute, reset)));
        Assert.Null(detector.Continuous);
    }

    [Fact]
    public void Observe_ThreeMatchesInOneInstant_NotYet()
    {
        // One burst's responses were all admitted together and report one full time: a fixed window can match that.
        var detector = new ContinuousRefillDetector(_time);
        for (int i = 0; i < 10; i++)
        {
            Assert.Null(detector.Observe(Match(6_000)));
        }

        Assert.Null(detector.Continuous);
        Assert.True(detector.Observe(Match(9_000)));
    }

    [Fact]
    public void Observe_AnotherDimensionsReset_StartsTheCountAgain()
    {
        // Requests' and tokens' buckets are full at different times: their resets are not one clock.
        var detector = new ContinuousRefillDetector(_time);
        Assert.Null(detector.Observe(new RefillEvidence(true, QuotaDimension.TokensPerMinute, TimeSpan.FromSeconds(2))));
        Assert.Null(detector.Observe(new RefillEvidence(true, QuotaDimension.TokensPerMinute, TimeSpan.FromSeconds(2))));
        Assert.Null(detector.Observe(new RefillEvidence(true, QuotaDimension.RequestsPerMinute, TimeSpan.FromSeconds(9))));
        Assert.Null(detector.Observe(new RefillEvidence(true, QuotaDimension.RequestsPerMinute, TimeSpan.FromSeconds(9))));
        Assert.Null(detector.Continuous);
        Assert.True(detector.Observe(new RefillEvidence(true, QuotaDimension.RequestsPerMinute, TimeSpan.FromSeconds(12))));
    }

    [Fact]
    public void Observe_AContradictionBetweenMatches_StartsTheCountAgain()
    {
        var detector = new ContinuousRefillDetector(_time);
        detector.Observe(Moving());
        _time.Advance(TimeSpan.FromSeconds(2));
        detector.Observe(Moving());
        Assert.Null(detector.Observe(Contradiction));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(detector.Observe(Moving()));
        Assert.Null(detector.Observe(Moving()));
        Assert.Null(detector.Continuous);
    }

    [Fact]
    public void Observe_ThreeContradictionsInARowAfterLearning_SafeShapeForGood()
    {
        var detector = Learned();
        Assert.Null(detector.Observe(Contradiction));
        Assert.Null(detector.Observe(Moving())); // one match in between starts the count again
        Assert.Null(detector.Observe(Contradiction));
        Assert.Null(detector.Observe(Contradiction));
        Assert.False(detector.Observe(Contradiction));
        Assert.False(detector.Continuous);

        for (int i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.Null(detector.Observe(Moving()));
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
            Assert.Null(detector.Observe(Moving()));
        }

        Assert.False(detector.Continuous);
    }

    private ContinuousRefillDetector Learned()
    {
        var detector = new ContinuousRefillDetector(_time);
        for (int i = 0; i < ContinuousRefillDetector.RequiredInARow; i++)
        {
            detector.Observe(Moving());
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(detector.Continuous);
        return detector;
    }

    private static RefillEvidence Contradiction => new(false, QuotaDimension.TokensPerMinute, TimeSpan.FromSeconds(30));

    private static RefillEvidence Match(int resetMs) => new(true, QuotaDimension.TokensPerMinute, TimeSpan.FromMilliseconds(resetMs));

    /// <summary>A match whose full time is 3 s later than the last one's: a bucket taking a charge between responses.</summary>
    private RefillEvidence Moving() => Match(1_000 + (3_000 * _moves++ % 45_000));
}
