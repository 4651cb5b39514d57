using FastBucket.Cli.Batch;
using FastBucket.Cli.Dashboard;

namespace FastBucket.Cli.Tests.Dashboard;

public sealed class ThroughputWindowTests
{
    private static void Complete(BatchStatistics stats, int requests, long input, long output)
    {
        for (int i = 0; i < requests; i++)
        {
            stats.Started();
            stats.Ended(succeeded: true, input, output);
        }
    }

    [Fact]
    public void Update_YoungerThanAMinute_ReportsUseSinceTheStartNotAnExtrapolation()
    {
        var stats = new BatchStatistics();
        var window = new ThroughputWindow();
        window.Update(TimeSpan.Zero, stats);
        Complete(stats, 100, 10, 20);

        var rates = window.Update(TimeSpan.FromSeconds(5), stats);

        Assert.Equal(100, rates.Requests);
        Assert.Equal(3_000, rates.Tokens);
    }

    [Fact]
    public void Update_OlderThanAMinute_ReportsOnlyTheTrailingMinute()
    {
        var stats = new BatchStatistics();
        var window = new ThroughputWindow();
        window.Update(TimeSpan.Zero, stats);
        Complete(stats, 500, 1, 1);                       // a burst at the start
        for (int s = 1; s <= 120; s++)
        {
            Complete(stats, 2, 1, 1);                     // then 2 per second
            window.Update(TimeSpan.FromSeconds(s), stats);
        }

        var rates = window.Update(TimeSpan.FromSeconds(120), stats);

        Assert.InRange(rates.Requests, 118, 122);         // the trailing minute: 60 s x 2/s
        Assert.InRange(rates.RequestsPerMinute, 118, 122); // the recent pace, for the ETA
    }
}
