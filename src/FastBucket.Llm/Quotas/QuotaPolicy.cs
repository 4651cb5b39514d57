using System.Globalization;
using FastBucket.Providers;

namespace FastBucket.Quotas;

/// <summary>
/// The quota rules, in one home for every store (<see cref="LlmQuota"/> in process, the Redis quota across processes):
/// which limits and headroom are valid, what a limit's burst capacity is, what a request may cost, and what to do about
/// a provider's response. The stores keep state and carry out <see cref="Plan"/>'s answer; they decide nothing.
/// </summary>
/// <remarks>
/// The adaptation rules, in order:
/// <list type="number">
/// <item><b>Learn capacities.</b> A reported <c>*-limit</c> becomes the dimension's limit (requests per day when the
/// provider counts requests per day, as Groq does). A smaller limit takes effect at once; the level is kept, clamped.</item>
/// <item><b>Lower on evidence of consumption made elsewhere, never raise.</b> The server's remaining was computed
/// when it admitted this request. Our level when we granted it, plus the refill until it was sent, minus the server's
/// remaining is consumption the server counted and we did not make (another process on the key, or a provider that
/// counts a prompt higher than our estimate), except for requests reserved after this one that the server admitted
/// first: concurrent sends arrive in any order. So the level is lowered by <c>level at grant + refill − remaining −
/// reserved after</c>, less what was already lowered since the grant, and only when that is positive. A signal
/// without its reservation lowers the level to <c>remaining − everything else in flight + refill since sent</c>.
/// (An earlier rule treated every other request in flight as unseen even with a reservation: after a burst of a full
/// window that put the level a whole window below the truth and stalled the quota for most of a minute.)</item>
/// <item><b>Hold closed after a rate-limit error.</b> A 429 closes the whole quota until the server's wait has
/// passed (<c>retry-after-ms</c>, <c>Retry-After</c>, Gemini's <c>RetryInfo</c>, a wait stated in the message, or the
/// exhausted dimension's reset), so no request leaves before; the dimensions reported at zero are lowered to zero.</item>
/// <item><b>Fail fast on exhaustion.</b> A non-retryable quota error (billing, spend cap, per-day quota, a limit of zero)
/// marks the quota exhausted with a <see cref="QuotaExhaustedException"/> naming the quota and its reset.</item>
/// <item><b>Discovery</b> (see <see cref="QuotaDiscovery"/>): one request at a time until limits are reported; for a
/// provider that reports none (Gemini), additive increase on success and multiplicative decrease on a 429.</item>
/// </list>
/// </remarks>
internal sealed class QuotaPolicy
{
    /// <summary>The hold after a 429 that names no wait at all.</summary>
    internal static readonly TimeSpan DefaultRateLimitHold = TimeSpan.FromSeconds(1);

    /// <summary>Creates the rules for <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> names no model.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="burstHeadroom"/> is outside 0 to 0.5.</exception>
    internal QuotaPolicy(QuotaKey key, double burstHeadroom, TimeProvider? timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key.Model, nameof(key));
        ValidateHeadroom(burstHeadroom, nameof(burstHeadroom));
        Key = key;
        BurstHeadroom = burstHeadroom;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Whose limits these are.</summary>
    internal QuotaKey Key { get; }

    /// <summary>The share of each limit held back from the burst (0 to 0.5).</summary>
    internal double BurstHeadroom { get; }

    /// <summary>The clock for the time between a grant and its send.</summary>
    internal TimeProvider TimeProvider { get; }

    /// <summary>Throws unless <paramref name="burstHeadroom"/> is from 0 to 0.5.</summary>
    internal static void ValidateHeadroom(double burstHeadroom, string paramName)
    {
        if (!(burstHeadroom is >= 0 and <= 0.5))
        {
            throw new ArgumentOutOfRangeException(paramName, burstHeadroom, "The burst headroom must be between 0 and 0.5.");
        }
    }

    /// <summary>Throws, naming the dimension, unless every limit of <paramref name="limits"/> is at least 1 or absent.</summary>
    internal void ValidateLimits(QuotaLimits limits, string paramName = "limits")
    {
        ArgumentNullException.ThrowIfNull(limits, paramName);
        foreach (var row in QuotaDimensions.All)
        {
            if (row.LimitOf(limits) is < 1 and var bad)
            {
                throw new ArgumentOutOfRangeException(paramName, bad,
                    row.IsRate
                        ? $"The {row.Dimension} limit of {Key} must be at least 1, or null for no limit."
                        : $"The concurrency limit of {Key} must be at least 1, or null for no limit.");
            }
        }
    }

    /// <summary>The burst a limit allows: <c>limit × (1 − headroom)</c>, at least 1. The refill stays the full limit per window.</summary>
    internal long Capacity(long limit) => Math.Max(1, limit - (long)(limit * BurstHeadroom));

    /// <summary>How much of a limit of <paramref name="limit"/> on <paramref name="dimension"/> comes back per second.</summary>
    internal static double RefillPerSecond(QuotaDimension dimension, long limit) =>
        limit / QuotaDimensions.Of(dimension).Window!.Value.TotalSeconds;

    /// <summary>Throws unless <paramref name="cost"/> is non-negative and fits every capacity of <paramref name="limits"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A part is negative, or exceeds its dimension's capacity: the request could never be sent.</exception>
    internal void ValidateCost(in RequestCost cost, QuotaLimits limits)
    {
        if (cost.Requests < 0 || cost.InputTokens < 0 || cost.OutputTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost, "Every part of a request's cost must be zero or positive.");
        }

        foreach (var row in QuotaDimensions.RateRows)
        {
            long amount = row.CostOf(cost);
            if (amount > 0 && row.LimitOf(limits) is { } limit && amount > Capacity(limit))
            {
                throw TooLarge(cost, row.Dimension, Capacity(limit));
            }
        }

        if (limits.MaxConcurrency is { } slots && cost.Requests > slots)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost.Requests, $"This cost counts {cost.Requests} requests but the {Key} concurrency limit is {slots}.");
        }
    }

    /// <summary>The error for a cost over one dimension's capacity.</summary>
    internal ArgumentOutOfRangeException TooLarge(in RequestCost cost, QuotaDimension dimension, long capacity)
    {
        long amount = QuotaDimensions.CostOf(cost, dimension);
        return new ArgumentOutOfRangeException(nameof(cost), amount, string.Create(CultureInfo.InvariantCulture,
            $"This request needs {amount:N0} on {dimension} but the {Key} limit is {capacity:N0}: it could never be sent. Lower max_tokens or split the input."));
    }

    /// <summary>Decides what a store must do about one response (see the remarks for the rules).</summary>
    /// <param name="signals">What the response said.</param>
    /// <param name="current">The limits in force.</param>
    /// <param name="reservation">The reservation the response answers, if any.</param>
    /// <param name="sinceSent">How long ago the request was sent.</param>
    /// <param name="inFlightTokens">Per rate dimension, what this store's requests in flight reserved.</param>
    /// <param name="discovery">The store's discovery state, when it learns its limits.</param>
    internal QuotaAdaptationPlan Plan(in RateLimitSignals signals, QuotaLimits current, QuotaReservation? reservation, TimeSpan sinceSent, ReadOnlySpan<long> inFlightTokens, QuotaDiscovery? discovery)
    {
        var plan = new QuotaAdaptationPlan();
        var requests = QuotaDimensions.Requests(signals.RequestsWindow);
        var limits = Learn(plan, signals, requests, current, discovery);

        Lower(plan, limits, requests, signals.Requests.Remaining, reservation, sinceSent, inFlightTokens);
        Lower(plan, limits, QuotaDimension.TokensPerMinute, signals.Tokens.Remaining, reservation, sinceSent, inFlightTokens);
        Lower(plan, limits, QuotaDimension.InputTokensPerMinute, signals.InputTokens.Remaining, reservation, sinceSent, inFlightTokens);
        Lower(plan, limits, QuotaDimension.OutputTokensPerMinute, signals.OutputTokens.Remaining, reservation, sinceSent, inFlightTokens);

        switch (signals.ErrorClass)
        {
            case RateLimitErrorClass.RateLimited when signals.Retryable != false:
                plan.Hold = RateLimitHold(signals);
                if (signals.Requests.Remaining == 0 && QuotaDimensions.LimitOf(limits, requests) is not null)
                {
                    plan.LowerToAtMost(requests, 0);
                }

                if (signals.Tokens.Remaining == 0 && limits.TokensPerMinute is not null)
                {
                    plan.LowerToAtMost(QuotaDimension.TokensPerMinute, 0);
                }

                if (discovery?.OnRateLimited(plan.Limits ?? current) is { } decreased)
                {
                    plan.Limits = decreased;
                }

                break;
            case RateLimitErrorClass.QuotaExhausted:
            case RateLimitErrorClass.RateLimited:
                plan.Exhaustion = new QuotaExhaustion(signals.ErrorCode ?? signals.ErrorType ?? "quota exhausted", ExhaustionReset(signals));
                break;
            case RateLimitErrorClass.None when signals.StatusCode is >= 200 and < 300:
                if (discovery?.OnSuccess(plan.Limits ?? current) is { } increased)
                {
                    plan.Limits = increased;
                }

                break;
        }

        return plan;
    }

    private static QuotaLimits Learn(QuotaAdaptationPlan plan, in RateLimitSignals signals, QuotaDimension requests, QuotaLimits current, QuotaDiscovery? discovery)
    {
        var reported = QuotaLimits.Unlimited;
        reported = Report(reported, requests, signals.Requests.Limit);
        reported = Report(reported, QuotaDimension.TokensPerMinute, signals.Tokens.Limit);
        reported = Report(reported, QuotaDimension.InputTokensPerMinute, signals.InputTokens.Limit);
        reported = Report(reported, QuotaDimension.OutputTokensPerMinute, signals.OutputTokens.Limit);
        if (reported == QuotaLimits.Unlimited)
        {
            return current;
        }

        var learned = current;
        foreach (var row in QuotaDimensions.RateRows)
        {
            if (row.LimitOf(reported) is { } limit)
            {
                learned = row.With(learned, limit);
            }
        }

        if (learned == current)
        {
            return current;
        }

        plan.Reported = reported;

        discovery?.OnLimitsReported();
        plan.Limits = discovery?.Restore(learned) ?? learned;
        return plan.Limits;

        static QuotaLimits Report(QuotaLimits limits, QuotaDimension dimension, long? limit) =>
            limit is > 0 ? QuotaDimensions.Of(dimension).With(limits, limit) : limits;
    }

    private void Lower(QuotaAdaptationPlan plan, QuotaLimits limits, QuotaDimension dimension, long? remaining, QuotaReservation? reservation, TimeSpan sinceSent, ReadOnlySpan<long> inFlightTokens)
    {
        if (remaining is not { } reported || QuotaDimensions.LimitOf(limits, dimension) is not { } limit)
        {
            return;
        }

        double perSecond = RefillPerSecond(dimension, limit);
        int d = (int)dimension;
        if (reservation?.Mark is { } mark)
        {
            // The server's remaining is its level when it admitted this request. Compared with ours when we granted
            // it (plus the refill until it was sent), the difference is consumption the server counted and we did
            // not make, less any request reserved after this one that the server happened to admit first.
            var sentAfterGrant = TimeProvider.GetElapsedTime(mark.GrantTimestamp) - sinceSent;
            long refilledBeforeSent = (long)Math.Ceiling(perSecond * Math.Max(0, sentAfterGrant.TotalSeconds));
            plan.Epoch = mark.Epoch;
            plan.SetEvidence(dimension, mark.Level(d) + refilledBeforeSent - reported + mark.ReservedTotal(d) + mark.Lowered(d));
            return;
        }

        // No mark (a signal without its reservation): count every other request in flight as unseen, the safe side.
        long mine = reservation is { IsEnded: false } ? QuotaDimensions.CostOf(reservation.Cost, dimension) : 0;
        long othersInFlight = Math.Max(0, inFlightTokens[d] - mine);
        long refilled = (long)(perSecond * Math.Max(0, sinceSent.TotalSeconds));
        plan.LowerToAtMost(dimension, reported - othersInFlight + refilled);
    }

    private static TimeSpan RateLimitHold(in RateLimitSignals signals)
    {
        var wait = signals.RetryAfter ?? signals.BodyRetryHint;
        if (wait is null)
        {
            // The dimension that ran out tells when it has room again.
            foreach (var dimension in (ReadOnlySpan<RateLimitDimension>)[signals.Requests, signals.Tokens, signals.InputTokens, signals.OutputTokens])
            {
                if (dimension.Remaining == 0 && dimension.Reset is { } reset && (wait is null || reset > wait))
                {
                    wait = reset;
                }
            }
        }

        return wait ?? DefaultRateLimitHold;
    }

    private static TimeSpan? ExhaustionReset(in RateLimitSignals signals)
    {
        if (signals.RetryAfter is { } retryAfter)
        {
            return retryAfter;
        }

        bool perDay = signals.QuotaViolations?.Any(v => v.Window == RateLimitWindow.Day) == true || signals.RequestsWindow == RateLimitWindow.Day;
        return perDay ? signals.Requests.Reset ?? TimeSpan.FromHours(24) : null;
    }
}
