namespace FastBucket.Simulator.Latency;

/// <summary>The distribution of the delay before a response's first byte.</summary>
public enum LatencyKind
{
    /// <summary>No delay.</summary>
    None,

    /// <summary>Always <see cref="LatencyOptions.Fixed"/>.</summary>
    Fixed,

    /// <summary>Uniform between <see cref="LatencyOptions.Minimum"/> and <see cref="LatencyOptions.Maximum"/>.</summary>
    Uniform,

    /// <summary>Log-normal with median <see cref="LatencyOptions.Median"/> and shape <see cref="LatencyOptions.Sigma"/>, capped at <see cref="LatencyOptions.Maximum"/> when that is positive.</summary>
    LogNormal,
}
