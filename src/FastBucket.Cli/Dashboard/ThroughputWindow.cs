using FastBucket.Cli.Batch;

namespace FastBucket.Cli.Dashboard;

/// <summary>Use over the last minute, from samples of the run's counters taken at each refresh.</summary>
internal sealed class ThroughputWindow
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan RecentPace = TimeSpan.FromSeconds(15);
    private readonly Queue<Sample> _samples = new();

    public Rates Update(TimeSpan elapsed, BatchStatistics stats)
    {
        var now = new Sample(elapsed, stats.Done - stats.Invalid, stats.InputTokens, stats.OutputTokens);
        _samples.Enqueue(now);
        while (_samples.Count > 2 && now.Elapsed - _samples.Peek().Elapsed > Window)
        {
            _samples.Dequeue();
        }

        // What the dimensions' limits count: use in the trailing minute (from the start while the run is younger), not
        // an extrapolated rate, which in the first seconds would show a full bucket's burst as many times the limit.
        var baseline = now.Elapsed <= Window ? default : _samples.Peek();

        // The ETA follows the recent pace: after the first burst, the refill rate is what is left.
        var recent = _samples.Peek();
        foreach (var sample in _samples)
        {
            if (now.Elapsed - sample.Elapsed < RecentPace)
            {
                break;
            }

            recent = sample;
        }

        double minutes = Math.Max((now.Elapsed - recent.Elapsed).TotalMinutes, 1.0 / 600);
        return new Rates(
            now.Requests - baseline.Requests,
            now.InputTokens - baseline.InputTokens,
            now.OutputTokens - baseline.OutputTokens,
            (now.Requests - recent.Requests) / minutes);
    }

    private readonly record struct Sample(TimeSpan Elapsed, long Requests, long InputTokens, long OutputTokens);

    /// <summary>Use in the trailing minute, and the request rate over the last 15 seconds (per minute, for the ETA).</summary>
    public readonly record struct Rates(double Requests, double InputTokens, double OutputTokens, double RequestsPerMinute)
    {
        public double Tokens => InputTokens + OutputTokens;
    }
}
