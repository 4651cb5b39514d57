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
/// provider counts requests per day, as Groq does). A request limit stated only in a 429's text (Groq's "requests per
/// minute (RPM): Limit 30") becomes the limit of the window the text names, per minute or per day, whatever window the
/// headers count. Gemini's <c>QuotaFailure</c> states each exceeded quota's value (<c>quotaValue</c>): the limit of the
/// requests or tokens, per minute or per day, that the quota id names. A smaller limit takes effect at once; the level
/// is kept, clamped.</item>
/// <item><b>Lower on evidence of consumption made elsewhere.</b> The server's remaining was computed
/// when it admitted this request. Our level when we granted it, plus the refill until it was sent, minus the server's
/// remaining is consumption the server counted and we did not make (another process on the key, or a provider that
/// counts a prompt higher than our estimate), except for requests reserved after this one that the server admitted
/// first: concurrent sends arrive in any order. So the level is lowered by <c>level at grant + refill − remaining −
/// reserved after</c>, less what was already lowered since the grant, and only when that is positive. A signal
/// without its reservation lowers the level to <c>remaining − everything else in flight + refill since sent</c>.
/// (An earlier rule treated every other request in flight as unseen even with a reservation: after a burst of a full
/// window that put the level a whole window below the truth and stalled the quota for most of a minute.)</item>
/// <item><b>Forget what the provider let go of.</b> The same comparison the other way: where a success's remaining says
/// the provider counts less than the safe shape's log holds of the charges taken before this request (less those still
/// in flight then, which may not have reached it), it no longer counts the difference: a fixed window's edge passed, its
/// log expired them sooner, or it counted them lower. The log forgets that much from its oldest charges, so the level
/// rises to what the provider reports and never above it (see <see cref="Windows.SlidingWindowLog.Forget"/>). Without it a
/// fixed minute (Azure's tokens) was used from our first send on, not from its edge: a run took a window more or less
/// by where in the provider's minute it started. Buckets refill on their own and ignore it.</item>
/// <item><b>Hold closed after a rate-limit error.</b> A 429 closes the whole quota until the server's wait has
/// passed (<c>retry-after-ms</c>, <c>Retry-After</c>, Gemini's <c>RetryInfo</c>, a wait stated in the message, or the
/// exhausted dimension's reset), so no request leaves before; stores apply the hold before anything else the response
/// changes can wake a waiter. The dimensions reported at zero, and the one the error text names ("on tokens per
/// min"), are lowered to zero until the wait the error states, else their reset: the evidence reaches every waiting
/// request at once.</item>
/// <item><b>Shrink the burst first</b> on a 429 while the response still reports room on every dimension it
/// reports: the provider enforces over a shorter period (the safe shape's burst period halves, once per congestion
/// event, down to 250 ms; a window learned to be a bucket returns to the safe shape instead); only once it cannot
/// shrink does such a 429 move the pace (next rule).</item>
/// <item><b>Learn the shape where it is not documented</b> (<see cref="Windows.QuotaWindowing.DetectsContinuousBucket"/>):
/// a success whose per-minute resets are what was used over the refill rate matches a continuously refilled bucket;
/// three in a row over two seconds make the per-minute windows that bucket, used whole (see
/// <see cref="Windows.ContinuousRefillDetector"/>). Each process reads the evidence for itself; the Redis quota shares
/// the verdict (and the burst's shrink) with every process through Redis.</item>
/// <item><b>Pace requests by congestion</b> under a known request limit: the share of its rate admitted halves once
/// per congestion event (a retryable 429 that reports no room left, or one that does once the burst cannot shrink
/// further) and grows back by one request per minute per success (see
/// <see cref="Congestion.RequestPace"/>): processes that share a key without sharing counts converge on the rate
/// the provider admits instead of retrying into a 429 storm. A 429 that states the limit it enforces, or taught one we
/// did not have, is explained by it and moves neither the pace nor discovery. Stores that share their counts (Redis)
/// need no pace.</item>
/// <item><b>Fail fast on exhaustion, for as long as it lasts.</b> A non-retryable quota error (billing, spend cap)
/// marks the quota exhausted with a <see cref="QuotaExhaustedException"/> naming the quota and its reset. A per-day
/// quota lasts until the provider's next day (Gemini: midnight Pacific) whatever shorter wait the error names;
/// <c>limit: 0</c> lasts until reset by hand; a non-retryable 429 naming no reset and no quota (a condition of one
/// request, as Anthropic's "request too large") leaves the quota as it was.</item>
/// <item><b>Anthropic's <c>tokens-*</c></b> family is the tighter of its input and output limits: never learned or
/// lowered as tokens per minute.</item>
/// <item><b>Discovery</b> (see <see cref="QuotaDiscovery"/>): one request at a time until limits are reported (a
/// provider that reports remaining counts and no limits reports at least remaining plus what the request took; Azure's
/// requests per minute follow its documented 6 per 1,000 tokens per minute); for a
/// provider that reports none (Gemini), additive increase on success and multiplicative decrease once per congestion
/// event (a 429 for a request sent before the event's first 429 arrived belongs to it), slow-starting until the first;
/// the quota counts what it sends on minutes it has no limit for, so a limit a 429 states starts from what the provider
/// counted.</item>
/// </list>
/// </remarks>
internal sealed class QuotaPolicy
{
    /// <summary>The hold after a 429 that names no wait at all.</summary>
    internal static readonly TimeSpan DefaultRateLimitHold = TimeSpan.FromSeconds(1);

    /// <summary>Creates the rules for <paramref name="key"/>.</summary>
    /// <param name="key">Whose limits these are.</param>
    /// <param name="burstHeadroom">The share of each limit held back from a token bucket's burst.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="dayTimeZone">The time zone whose midnights start the provider's days, where known (a per-day quota lasts until the next).</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> names no model.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="burstHeadroom"/> is outside 0 to 0.5.</exception>
    internal QuotaPolicy(QuotaKey key, double burstHeadroom, TimeProvider? timeProvider, TimeZoneInfo? dayTimeZone = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key.Model, nameof(key));
        ValidateHeadroom(burstHeadroom, nameof(burstHeadroom));
        Key = key;
        BurstHeadroom = burstHeadroom;
        TimeProvider = timeProvider ?? TimeProvider.System;
        DayTimeZone = dayTimeZone;
    }

    /// <summary>The time zone whose midnights start the provider's days, or <see langword="null"/> when unknown.</summary>
    internal TimeZoneInfo? DayTimeZone { get; }

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
    /// <param name="into">A plan to fill (cleared first), for a store that reuses one; <see langword="null"/> for a new one.</param>
    internal QuotaAdaptationPlan Plan(in RateLimitSignals signals, QuotaLimits current, QuotaReservation? reservation, TimeSpan sinceSent, ReadOnlySpan<long> inFlightTokens, QuotaDiscovery? discovery, QuotaAdaptationPlan? into = null)
    {
        var plan = into ?? new QuotaAdaptationPlan();
        into?.Clear(); // a rented plan holds the last response's; a new one is empty
        long now = TimeProvider.GetTimestamp();
        long sentAt = now - (long)(Math.Max(0, sinceSent.TotalSeconds) * TimeProvider.TimestampFrequency);
        var requests = QuotaDimensions.Requests(signals.RequestsWindow);
        bool admitted = signals.StatusCode is >= 200 and < 300;
        var limits = Learn(plan, signals, current, discovery, reservation);

        // A rate-limit error's own wait is when this request would pass: what the response lowers frees then, not at
        // the reset headers' instant (OpenAI's: the minute whole again, often most of a minute after there is room).
        var statedWait = signals.ErrorClass == RateLimitErrorClass.RateLimited && signals.Retryable != false
            ? StatedWait(signals)
            : null;
        foreach (var row in QuotaDimensions.RateRows)
        {
            // Azure's remaining-requests may be its short period's count (see RemainingCountsTheMinute): read as the
            // minute's it said most of the minute was used elsewhere (the matrix's Azure cell stalled on it).
            if (ReportedOn(signals, row.Dimension) is { } reported && RemainingCountsTheMinute(signals.Provider, row.Dimension))
            {
                Lower(plan, limits, row.Dimension, reported, reservation, sinceSent, inFlightTokens, statedWait, admitted);
            }
        }

        switch (signals.ErrorClass)
        {
            case RateLimitErrorClass.RateLimited when signals.Retryable != false:
                var hold = RateLimitHold(signals, statedWait);
                plan.Hold = hold;
                LowerOnRejection(plan, signals, limits, requests, statedWait, hold);
                if (ReportsCapacityLeft(signals))
                {
                    plan.ShrinkBurstSentAt = sentAt;
                }

                // A 429 that states the limit it enforces (Gemini's quotaValue), or taught us one we did not have, is
                // explained by it: neither discovery's decrease nor the pace is for it.
                bool explained = plan.Reported is not null || StatesLimits(signals);
                if (!explained && discovery?.OnRateLimited(plan.Limits ?? current, sentAt, now) is { } decreased)
                {
                    plan.Limits = decreased;
                }
                else if (!explained && discovery is not { FollowsAimd: true })
                {
                    plan.RateLimitedSentAt = sentAt;
                }

                break;
            case RateLimitErrorClass.QuotaExhausted:
            case RateLimitErrorClass.RateLimited:
                Exhaust(plan, signals);
                break;
            case RateLimitErrorClass.None when admitted:
                plan.Refill = RefillEvidence(signals, limits);
                if (discovery?.OnSuccess(plan.Limits ?? current, sentAt) is { } increased)
                {
                    plan.Limits = increased;
                }
                else if (discovery is not { FollowsAimd: true })
                {
                    plan.SucceededSentAt = sentAt;
                }

                break;
        }

        return plan;
    }

    /// <summary>
    /// The dimensions the rejection says ran out (reported at zero, or named by the error text: "on tokens per min")
    /// are lowered to zero until the wait the rejection states, else the dimension's reset: the evidence reaches every
    /// waiting request at once.
    /// </summary>
    /// <param name="plan">The plan to add to.</param>
    /// <param name="signals">The rejection.</param>
    /// <param name="limits">The limits in force.</param>
    /// <param name="requests">The request dimension the signals count.</param>
    /// <param name="stated">The wait the rejection states, if it does; else <see langword="null"/>.</param>
    /// <param name="hold">The hold the rejection applies.</param>
    private static void LowerOnRejection(QuotaAdaptationPlan plan, in RateLimitSignals signals, QuotaLimits limits, QuotaDimension requests, TimeSpan? stated, TimeSpan hold)
    {
        // Gemini names the exceeded quotas in QuotaFailure: a limit learned from this very 429 starts with an empty
        // window here while the provider's is full.
        var violations = signals.QuotaViolations;
        bool Named(QuotaDimension dimension) => violations?.Any(v => DimensionOf(v) == dimension) == true;
        bool textAboutTokens = signals.ErrorType == "tokens" || signals.TokensLimitFromBody is not null || Named(QuotaDimension.TokensPerMinute);
        bool textAboutRequests = signals.ErrorType == "requests" || Named(requests);

        // A wait the rejection states is when this request would pass: the dimension frees then. The reset headers say
        // when the window is whole again (OpenAI's: refilled to the limit), which can be most of a minute after there
        // is room; waiting for it stalled a process for 25 s after one 429 of a one-second quantum.
        foreach (var row in QuotaDimensions.RateRows)
        {
            bool namedByText = row.Dimension == requests ? textAboutRequests : row.Dimension == QuotaDimension.TokensPerMinute && textAboutTokens;
            if (ReportedOn(signals, row.Dimension) is { } reported && (reported.Remaining == 0 || namedByText) && row.LimitOf(limits) is not null)
            {
                plan.LowerToAtMost(row.Dimension, 0);
                plan.SetFreesAfter(row.Dimension, stated ?? reported.Reset ?? hold);
            }
        }
    }

    /// <summary>
    /// Whether a success's resets match a continuously refilled bucket on the per-minute dimensions it reports (see
    /// <see cref="Windows.ContinuousRefillDetector.Matches"/>): not if any contradicts, if one matches and none
    /// contradicts, else <see langword="null"/>; with the reset of the last dimension that spoke (a token dimension
    /// where one is reported: each request moves it most).
    /// </summary>
    private static Windows.RefillEvidence? RefillEvidence(in RateLimitSignals signals, QuotaLimits limits)
    {
        Windows.RefillEvidence? evidence = null;
        foreach (var row in QuotaDimensions.RateRows)
        {
            if (evidence is not { Matches: false } && row.Window == TimeSpan.FromMinutes(1) && ReportedOn(signals, row.Dimension) is { Reset: { } reset } reported
                && Windows.ContinuousRefillDetector.Matches(reported.Limit ?? row.LimitOf(limits) ?? 0, reported.Remaining, reset, row.Window.Value) is { } matches)
            {
                evidence = new Windows.RefillEvidence(matches, row.Dimension, reset);
            }
        }

        return evidence;
    }

    /// <summary>
    /// What the signals report about the limit on <paramref name="dimension"/>, or <see langword="null"/> when no family
    /// counts on it: the requests on the window the provider counts them over (per day at Groq), the tokens per minute
    /// (not Anthropic's, the tighter of its input and output limits rather than a limit of its own), and the input and
    /// output tokens per minute.
    /// </summary>
    private static RateLimitDimension? ReportedOn(in RateLimitSignals signals, QuotaDimension dimension) => dimension switch
    {
        _ when dimension == QuotaDimensions.Requests(signals.RequestsWindow) => signals.Requests,
        QuotaDimension.TokensPerMinute when signals.Provider != LlmProvider.Anthropic => signals.Tokens,
        QuotaDimension.InputTokensPerMinute => signals.InputTokens,
        QuotaDimension.OutputTokensPerMinute => signals.OutputTokens,
        _ => null,
    };

    /// <summary>The wait a rejection states itself (<c>Retry-After</c> and kin, else the wait its body names), or <see langword="null"/>.</summary>
    private static TimeSpan? StatedWait(in RateLimitSignals signals) => signals.RetryAfter ?? signals.BodyRetryHint;

    /// <summary>
    /// Whether a 429 came while the response still reports room on every dimension it reports: the provider enforces
    /// over a shorter period than our burst allows for.
    /// </summary>
    private static bool ReportsCapacityLeft(in RateLimitSignals signals)
    {
        bool any = false;
        foreach (var dimension in (ReadOnlySpan<RateLimitDimension>)[signals.Requests, signals.Tokens, signals.InputTokens, signals.OutputTokens])
        {
            if (dimension.Remaining is { } remaining)
            {
                if (remaining <= 0)
                {
                    return false;
                }

                any = true;
            }
        }

        return any && signals.ErrorType is not ("tokens" or "requests") && signals.TokensLimitFromBody is null && signals.RequestsLimitFromBody is null;
    }

    /// <summary>
    /// A quota error waiting does not cure. <c>limit: 0</c> (the model is not in this tier) lasts until reset by hand; a
    /// per-day quota until the provider's next day (Gemini: midnight Pacific), whatever shorter wait the error names; a
    /// billing or spend cap until the reset it names. A non-retryable 429 that names no reset and no quota (Anthropic's
    /// "request too large") is a condition of that one request: the quota is left as it was.
    /// </summary>
    private void Exhaust(QuotaAdaptationPlan plan, in RateLimitSignals signals)
    {
        string code = signals.ErrorCode ?? signals.ErrorType ?? "quota exhausted";
        if (signals.QuotaLimit == 0)
        {
            plan.Exhaustion = new QuotaExhaustion(code + " (limit 0: the model is not available on this tier)", null);
            return;
        }

        bool perDay = signals.QuotaViolations?.Any(v => v.Window == RateLimitWindow.Day) == true || signals.RequestsWindow == RateLimitWindow.Day;
        var stated = StatedWait(signals);
        if (perDay)
        {
            var dayEnds = TimeUntilNextDay() ?? signals.Requests.Reset ?? TimeSpan.FromHours(24);
            plan.ExhaustDays = true;
            plan.Exhaustion = new QuotaExhaustion(code, stated is { } s && s > dayEnds ? s : dayEnds);
        }
        else if (signals.ErrorClass == RateLimitErrorClass.QuotaExhausted || stated is not null)
        {
            plan.Exhaustion = new QuotaExhaustion(code, stated);
        }
    }

    /// <summary>How long until the provider's next day starts, where its days are known; else <see langword="null"/>.</summary>
    internal TimeSpan? TimeUntilNextDay()
    {
        if (DayTimeZone is not { } zone)
        {
            return null;
        }

        var now = TimeProvider.GetUtcNow();
        return Windows.CalendarDay.Containing(now, zone).End - now;
    }

    /// <summary>
    /// Whether the provider's remaining count of <paramref name="dimension"/> is the minute's (or the day's) as the
    /// quota counts it. Azure evaluates requests "over a small period of time, typically 1 or 10 seconds": its
    /// remaining-requests may be that period's count; its tokens are "a running token count ... reset each minute".
    /// </summary>
    private static bool RemainingCountsTheMinute(LlmProvider provider, QuotaDimension dimension) =>
        !(provider == LlmProvider.AzureOpenAI && dimension == QuotaDimension.RequestsPerMinute);

    /// <summary>Azure's documented ratio of requests per minute to tokens per minute: "6 RPM per 1000 TPM".</summary>
    private static long AzureRequestsPerMinute(long tokensPerMinute) => Math.Max(1, tokensPerMinute * 6 / 1_000);

    private static QuotaLimits Learn(QuotaAdaptationPlan plan, in RateLimitSignals signals, QuotaLimits current, QuotaDiscovery? discovery, QuotaReservation? reservation)
    {
        var reported = QuotaLimits.Unlimited;
        bool bounds = discovery is not null && reservation is not null;
        foreach (var row in QuotaDimensions.RateRows)
        {
            if (ReportedOn(signals, row.Dimension) is not { } family)
            {
                continue;
            }

            reported = Report(reported, row.Dimension, family.Limit);

            // A provider that reports what remains and not the limit (Azure standard deployments, some compatible
            // servers): in discovery, the limit is at least what remains plus what this request took there (as we
            // reserved it: our estimate, so the bound can pass the limit by the estimate's error); the largest bound
            // seen is learned, so a quota started on a drained account rises as the provider's window refills.
            if (bounds && family.Limit is null && family.Remaining is { } remaining && RemainingCountsTheMinute(signals.Provider, row.Dimension)
                && remaining + row.CostOf(reservation!.Cost) is var bound && bound > (row.LimitOf(current) ?? 0))
            {
                reported = row.With(reported, bound);
            }
        }

        if (bounds && signals.Provider == LlmProvider.AzureOpenAI && reported.TokensPerMinute is { } tokens && reported.RequestsPerMinute is null)
        {
            reported = reported with { RequestsPerMinute = AzureRequestsPerMinute(tokens) };
        }

        // A request limit stated only in a 429's words (Groq's "requests per minute (RPM): Limit 30") counts over the
        // window the words name, apart from what the headers count (Groq's request headers count per day).
        if (signals.RequestsLimitFromBody is { } bodyRequests && signals.BodyLimitWindow is RateLimitWindow.Minute or RateLimitWindow.Day)
        {
            reported = Report(reported, QuotaDimensions.Requests(signals.BodyLimitWindow), bodyRequests);
        }

        // Gemini states each exceeded quota's value in its 429 (QuotaFailure's quotaValue): the limit of the requests or
        // tokens the quota id names, per minute or per day. A provider that sends no headers tells its limits this way.
        if (signals.QuotaViolations is { } violations)
        {
            foreach (var violation in violations)
            {
                if (violation.Limit is > 0 and var value && DimensionOf(violation) is { } dimension)
                {
                    reported = Report(reported, dimension, value);
                }
            }
        }

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

        // Discovery's additive increase searches the request rate: it stops once the provider states that limit (a
        // Gemini 429 may state only its tokens' limit).
        if (discovery is not { FollowsAimd: true } || reported.RequestsPerMinute is not null)
        {
            discovery?.OnLimitsReported();
        }

        plan.Limits = discovery?.Restore(learned) ?? learned;
        return plan.Limits;

        static QuotaLimits Report(QuotaLimits limits, QuotaDimension dimension, long? limit) =>
            limit is > 0 ? QuotaDimensions.Of(dimension).With(limits, limit) : limits;
    }

    /// <summary>Whether a rejection states the value of a quota it enforces (Gemini's <c>QuotaFailure</c> <c>quotaValue</c>).</summary>
    private static bool StatesLimits(in RateLimitSignals signals) =>
        signals.QuotaViolations?.Any(v => v.Limit > 0 && DimensionOf(v) is not null) == true;

    /// <summary>The dimension a quota violation counts ("GenerateRequestsPerMinute...", "...InputTokensPer...Minute"), or <see langword="null"/>.</summary>
    private static QuotaDimension? DimensionOf(QuotaViolation violation)
    {
        string name = violation.QuotaId + " " + violation.Metric;
        bool requests = name.Contains("request", StringComparison.OrdinalIgnoreCase);
        bool tokens = name.Contains("token", StringComparison.OrdinalIgnoreCase);
        return (violation.Window, requests, tokens) switch
        {
            (RateLimitWindow.Minute, true, false) => QuotaDimension.RequestsPerMinute,
            (RateLimitWindow.Minute, false, true) => QuotaDimension.TokensPerMinute,
            (RateLimitWindow.Day, true, false) => QuotaDimension.RequestsPerDay,
            (RateLimitWindow.Day, false, true) => QuotaDimension.TokensPerDay,
            _ => null,
        };
    }

    private void Lower(QuotaAdaptationPlan plan, QuotaLimits limits, QuotaDimension dimension, RateLimitDimension reportedDimension, QuotaReservation? reservation, TimeSpan sinceSent, ReadOnlySpan<long> inFlightTokens, TimeSpan? statedWait, bool admitted)
    {
        if (reportedDimension.Remaining is not { } reported || QuotaDimensions.LimitOf(limits, dimension) is not { } limit)
        {
            return;
        }

        // Where a window frees its charges at instants, use made elsewhere frees when the provider says: the wait its
        // rate-limit error states, else the dimension's reset.
        if ((statedWait ?? reportedDimension.Reset) is { } frees)
        {
            plan.SetFreesAfter(dimension, frees);
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

            // And the other way: where it counts less than we hold of the charges before this one, it let them go.
            if (admitted)
            {
                plan.SetRemainingAtAdmission(dimension, reported, Math.Max(0, mark.InFlight(d) - QuotaDimensions.CostOf(reservation.Cost, dimension)));
            }

            return;
        }

        // No mark (a signal without its reservation): count every other request in flight as unseen, the safe side.
        long mine = reservation is { IsEnded: false } ? QuotaDimensions.CostOf(reservation.Cost, dimension) : 0;
        long othersInFlight = Math.Max(0, inFlightTokens[d] - mine);
        long refilled = (long)(perSecond * Math.Max(0, sinceSent.TotalSeconds));
        plan.LowerToAtMost(dimension, reported - othersInFlight + refilled);
    }

    private static TimeSpan RateLimitHold(in RateLimitSignals signals, TimeSpan? stated)
    {
        var wait = stated;
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

}
