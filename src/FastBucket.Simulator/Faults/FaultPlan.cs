namespace FastBucket.Simulator.Faults;

/// <summary>The faults drawn for one request.</summary>
/// <param name="Replacement">The fault that replaces the normal response, if any (500, 503, 529, reset, malformed).</param>
/// <param name="SlowFirstByte">Whether the first byte is delayed further.</param>
/// <param name="OmitRateLimitHeaders">Whether rate-limit headers are left out.</param>
internal readonly record struct FaultPlan(FaultKind? Replacement, bool SlowFirstByte, bool OmitRateLimitHeaders)
{
    public bool Is(FaultKind kind) => Replacement == kind;

    public bool IsInjectedStatus => Replacement is FaultKind.InternalServerError or FaultKind.ServiceUnavailable or FaultKind.Overloaded;
}
