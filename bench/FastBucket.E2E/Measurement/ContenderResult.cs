namespace FastBucket.E2E.Measurement;

/// <summary>One contender's run: the client's measurements, the simulator's counts and the binding-limit share.</summary>
internal sealed record ContenderResult(
    string Name,
    string Wiring,
    string Notes,
    RunMeasurements Client,
    long SimulatorRequests,
    long SimulatorAdmitted,
    long SimulatorRateLimited,
    long InputTokens,
    long OutputTokens,
    string BindingLimit,
    double BindingLimitShare,
    double RequestShare,
    double TokenShare)
{
    public long Tokens => InputTokens + OutputTokens;

    public double AchievedTokensPerMinute => Client.WallSeconds > 0 ? Tokens / Client.WallSeconds * 60 : 0;
}
