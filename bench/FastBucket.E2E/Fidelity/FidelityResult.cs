using FastBucket.E2E.Measurement;
using FastBucket.Simulator.Accounting;

namespace FastBucket.E2E.Fidelity;

/// <summary>One cell of the matrix: a contender's run against one profile's simulator.</summary>
internal sealed record FidelityResult(
    FidelityProfile Profile,
    string Contender,
    string Notes,
    RunMeasurements Client,
    bool TimedOut,
    long Requests,
    long RateLimited,
    long Admitted,
    RateLimitDimension? Binding,
    double BindingShare,
    double BestShare,
    double ShortestWallSeconds,
    long CacheReadTokens)
{
    /// <summary>Requests that did not end in success: failures other than the 429s themselves.</summary>
    public int OtherFailures => Client.Failed;
}
