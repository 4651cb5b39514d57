using FastBucket.Cli.Batch;

namespace FastBucket.Cli.Dashboard;

/// <summary>Rates over the last minute, from samples of the run's counters taken at each refresh.</summary>
internal sealed class ThroughputWindow
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Queue<Sample> _samples = new();

    public Rates Update(TimeSpan elapsed, BatchStatistics stats)
    {
        var now = new Sample(elapsed, stats.Done - stats.Invalid, stats.InputTokens, stats.OutputTokens);
        _samples.Enqueue(now);
        while (_samples.Count > 2 && now.Elapsed - _samples.Peek().Elapsed > Window)
        {
            _samples.Dequeue();
        }

        var first = _samples.Peek();
        // Until a minute has passed, the rate is over the whole run (the bucket's burst makes the first seconds fast).
        double minutes = Math.Max((now.Elapsed - (now.Elapsed < Window ? TimeSpan.Zero : first.Elapsed)).TotalMinutes, 1.0 / 60);
        var baseline = now.Elapsed < Window ? default : first;
        return new Rates(
            (now.Requests - baseline.Requests) / minutes,
            (now.InputTokens - baseline.InputTokens) / minutes,
            (now.OutputTokens - baseline.OutputTokens) / minutes);
    }

    private readonly record struct Sample(TimeSpan Elapsed, long Requests, long InputTokens, long OutputTokens);

    /// <summary>Per-minute rates.</summary>
    public readonly record struct Rates(double Requests, double InputTokens, double OutputTokens)
    {
        public double Tokens => InputTokens + OutputTokens;
    }
}
