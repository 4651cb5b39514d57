using FastBucket.Cli.Dashboard;

namespace FastBucket.Cli.Tests.Dashboard;

public sealed class QuotaMonitorStateTests
{
    private const string Tags = "provider=OpenAI,model=gpt-4o-mini";

    [Fact]
    public void OnCounter_DeltasPerInterval_SumIntoTotalsAndDivideIntoRates()
    {
        var state = new QuotaMonitorState(TimeSpan.FromSeconds(2));

        state.OnCounter("fastbucket.quota.grants", Tags, "10");
        state.OnCounter("fastbucket.quota.grants", Tags, "6");
        state.OnCounter("fastbucket.http.rate_limited", Tags, "1");
        state.OnCounter("fastbucket.http.retries", Tags, "2");
        state.OnCounter("fastbucket.quota.refusals", Tags, "3");

        var row = Assert.Single(state.Snapshot());
        Assert.Equal(("OpenAI", "gpt-4o-mini"), (row.Provider, row.Model));
        Assert.Equal(16, row.Grants);
        Assert.Equal(3, row.GrantsPerSecond);
        Assert.Equal((1, 2, 3), (row.RateLimited, row.Retries, row.Refusals));
    }

    [Fact]
    public void OnGaugeAndOnHistogram_LevelsPerDimensionAndWaitQuantiles()
    {
        var state = new QuotaMonitorState(TimeSpan.FromSeconds(1));

        state.OnGauge("fastbucket.quota.available", Tags + ",dimension=TokensPerMinute", "1234");
        state.OnGauge("fastbucket.quota.available", Tags + ",dimension=RequestsPerMinute", "-2");
        state.OnHistogram("fastbucket.quota.wait", Tags, "0.5=0.25;0.95=1.5;0.99=2");

        var row = Assert.Single(state.Snapshot());
        Assert.Equal(new Dictionary<string, double> { ["RequestsPerMinute"] = -2, ["TokensPerMinute"] = 1234 }, row.Available);
        Assert.Equal((0.25, 1.5), (row.WaitP50, row.WaitP95));
    }

    [Theory]
    [InlineData("fastbucket.quota.grants", "provider=OpenAI", "1")]
    [InlineData("fastbucket.quota.grants", "garbage", "1")]
    [InlineData("fastbucket.quota.grants", Tags, "NaN")]
    [InlineData("fastbucket.quota.grants", Tags, "not a number")]
    [InlineData("fastbucket.quota.grants", Tags, "")]
    [InlineData("some.other.instrument", Tags, "1")]
    public void OnCounter_UnusableMeasurement_IsIgnored(string instrument, string tags, string rate)
    {
        var state = new QuotaMonitorState(TimeSpan.FromSeconds(1));

        state.OnCounter(instrument, tags, rate);
        state.OnGauge("fastbucket.quota.available", Tags, "5");
        state.OnHistogram("fastbucket.quota.wait", "=,=,", "=;0.5=x;;");

        Assert.All(state.Snapshot(), row => Assert.Equal(0, row.Grants));
        Assert.Equal(0, state.Events);
    }
}
