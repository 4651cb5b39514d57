namespace FastBucket.Simulator.Faults;

/// <summary>Draws the faults of each request from the configured rates.</summary>
internal sealed class FaultInjector
{
    private readonly FaultOptions _options;

    public FaultInjector(FaultOptions options)
    {
        _options = options.Copy();
    }

    public TimeSpan SlowFirstByteDelay => _options.SlowFirstByteDelay;

    /// <summary>Always consumes three draws from <paramref name="random"/>, so that the rates do not shift later draws.</summary>
    public FaultPlan Next(Random random, SimulatedProvider provider)
    {
        double replacementDraw = random.NextDouble();
        double slowDraw = random.NextDouble();
        double headersDraw = random.NextDouble();

        FaultKind? replacement = null;
        double cumulative = 0;
        foreach (FaultKind kind in (ReadOnlySpan<FaultKind>)[FaultKind.InternalServerError, FaultKind.ServiceUnavailable, FaultKind.Overloaded, FaultKind.ConnectionReset, FaultKind.MalformedJson])
        {
            cumulative += _options[kind];
            if (replacementDraw < cumulative)
            {
                replacement = kind;
                break;
            }
        }

        // 529 is Anthropic's own status; other providers answer normally when it is drawn.
        if (replacement == FaultKind.Overloaded && provider != SimulatedProvider.Anthropic)
        {
            replacement = null;
        }

        return new FaultPlan(replacement, slowDraw < _options.SlowFirstByteRate, headersDraw < _options.MissingRateLimitHeadersRate);
    }
}
