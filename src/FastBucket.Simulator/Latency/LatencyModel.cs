namespace FastBucket.Simulator.Latency;

/// <summary>Draws first-byte delays from the configured distribution.</summary>
internal sealed class LatencyModel
{
    private readonly LatencyOptions _options;

    public LatencyModel(LatencyOptions options)
    {
        _options = options.Copy();
    }

    public TimeSpan ChunkInterval => _options.ChunkInterval;

    /// <summary>Draws a delay. Always consumes two draws from <paramref name="random"/>, whatever the kind, so that
    /// changing the latency model does not shift the draws made after it.</summary>
    public TimeSpan NextFirstByteDelay(Random random)
    {
        double u1 = random.NextDouble();
        double u2 = random.NextDouble();
        return _options.Kind switch
        {
            LatencyKind.Fixed => _options.Fixed,
            LatencyKind.Uniform => _options.Minimum + ((_options.Maximum - _options.Minimum) * u1),
            LatencyKind.LogNormal => LogNormal(u1, u2),
            _ => TimeSpan.Zero,
        };
    }

    private TimeSpan LogNormal(double u1, double u2)
    {
        // Box-Muller; 1 - u1 lies in (0, 1], so the logarithm is finite.
        double standardNormal = Math.Sqrt(-2.0 * Math.Log(1.0 - u1)) * Math.Cos(2.0 * Math.PI * u2);
        double milliseconds = _options.Median.TotalMilliseconds * Math.Exp(_options.Sigma * standardNormal);
        var delay = TimeSpan.FromMilliseconds(Math.Min(milliseconds, TimeSpan.FromHours(1).TotalMilliseconds));
        return _options.Maximum > TimeSpan.Zero && delay > _options.Maximum ? _options.Maximum : delay;
    }
}
