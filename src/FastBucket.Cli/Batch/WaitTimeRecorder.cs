namespace FastBucket.Cli.Batch;

/// <summary>Records how long requests waited for quota, for the summary's percentiles.</summary>
internal sealed class WaitTimeRecorder
{
    private readonly Lock _lock = new();
    private readonly List<double> _milliseconds = [];

    public void Record(TimeSpan wait)
    {
        lock (_lock)
        {
            _milliseconds.Add(wait.TotalMilliseconds);
        }
    }

    /// <summary>The nearest-rank percentile in milliseconds, or 0 with no samples.</summary>
    public double Percentile(double percentile)
    {
        lock (_lock)
        {
            if (_milliseconds.Count == 0)
            {
                return 0;
            }

            _milliseconds.Sort();
            int rank = (int)Math.Ceiling(percentile / 100 * _milliseconds.Count);
            return _milliseconds[Math.Clamp(rank - 1, 0, _milliseconds.Count - 1)];
        }
    }
}
