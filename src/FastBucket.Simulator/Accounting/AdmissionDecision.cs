using System.Collections.Immutable;
using System.Diagnostics;
using FastBucket.Simulator.Accounting.Enforcement;

namespace FastBucket.Simulator.Accounting;

/// <summary>
/// The outcome of asking an account to admit a request: admitted, or refused because one dimension lacks room
/// (with the wait until it has room), or refused because the request is larger than a dimension's capacity.
/// </summary>
internal sealed class AdmissionDecision
{
    private AdmissionDecision(
        bool isAdmitted,
        ImmutableArray<AllowanceSnapshot> allowances,
        AccountingInstant decidedAt,
        RateLimitDimension? limitingDimension,
        TimeSpan? retryAfter,
        long requested)
    {
        IsAdmitted = isAdmitted;
        Allowances = allowances;
        At = decidedAt;
        LimitingDimension = limitingDimension;
        RetryAfter = retryAfter;
        Requested = requested;
    }

    public bool IsAdmitted { get; }

    /// <summary>Every limited dimension after the decision (after the charge was taken when admitted).</summary>
    public ImmutableArray<AllowanceSnapshot> Allowances { get; }

    /// <summary>The wall-clock time of the decision, for absolute reset headers.</summary>
    public DateTimeOffset DecidedAt => At.UtcNow;

    /// <summary>The moment of the decision on both clocks, which a settlement names.</summary>
    public AccountingInstant At { get; }

    /// <summary>The dimension that refused the request; <see langword="null"/> when admitted.</summary>
    public RateLimitDimension? LimitingDimension { get; }

    /// <summary>How long until the limiting dimension has room; <see langword="null"/> when admitted or when it never will.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Whether the request exceeds the limiting dimension's capacity, so that waiting cannot help.</summary>
    public bool IsTooLarge => !IsAdmitted && RetryAfter is null;

    /// <summary>The charge on the limiting dimension.</summary>
    public long Requested { get; }

    public static AdmissionDecision Admitted(ImmutableArray<AllowanceSnapshot> allowances, AccountingInstant decidedAt) =>
        new(true, allowances, decidedAt, null, null, 0);

    public static AdmissionDecision Refused(
        ImmutableArray<AllowanceSnapshot> allowances,
        AccountingInstant decidedAt,
        RateLimitDimension limitingDimension,
        TimeSpan? retryAfter,
        long requested)
    {
        Debug.Assert(retryAfter is null || retryAfter > TimeSpan.Zero, "A refusal that waiting cures has a positive wait.");
        return new(false, allowances, decidedAt, limitingDimension, retryAfter, requested);
    }

    /// <summary>This refusal stating a different wait (a provider whose hint is shorter than the real wait).</summary>
    public AdmissionDecision WithRetryAfter(TimeSpan retryAfter)
    {
        Debug.Assert(!IsAdmitted && retryAfter > TimeSpan.Zero, "Only a refusal that waiting cures states a wait.");
        return new(false, Allowances, At, LimitingDimension, retryAfter, Requested);
    }

    public AllowanceSnapshot? Find(RateLimitDimension dimension)
    {
        foreach (AllowanceSnapshot allowance in Allowances)
        {
            if (allowance.Dimension == dimension)
            {
                return allowance;
            }
        }

        return null;
    }
}
