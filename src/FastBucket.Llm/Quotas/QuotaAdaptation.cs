using FastBucket.Providers;

namespace FastBucket.Quotas;

/// <summary>
/// How an <see cref="LlmQuota"/> learns from what the provider said about one response. The rules, in order:
/// </summary>
/// <remarks>
/// <list type="number">
/// <item><b>Hold closed after a rate-limit error, first.</b> A 429 closes the whole quota until the server's wait has
/// passed (<c>retry-after-ms</c>, <c>Retry-After</c>, Gemini's <c>RetryInfo</c>, a wait stated in the message, or the
/// exhausted dimension's reset), before anything else this response changes can wake a waiter, so no queued request is
/// sent straight into the same 429. The dimensions reported at zero, and the one the error text names ("on tokens per
/// min"), are lowered to zero until that wait has passed: the evidence reaches every waiting request at once.</item>
/// <item><b>Learn capacities.</b> A reported <c>*-limit</c> becomes the dimension's capacity (requests per day when the
/// provider counts requests per day, as Groq does). A smaller limit takes effect at once; the level is kept, clamped.
/// Anthropic's <c>anthropic-ratelimit-tokens-*</c> is the tighter of its input and output limits, not a limit of its
/// own: it is never learned as tokens per minute.</item>
/// <item><b>Lower on evidence of consumption made elsewhere, never raise.</b> The server's remaining was computed
/// when it admitted this request. Our level when we granted it, plus the refill until it was sent, minus the server's
/// remaining is consumption the server counted and we did not make (another process on the key, or a provider that
/// counts a prompt higher than our estimate), except for requests we reserved after this one that the server admitted
/// first: concurrent sends arrive in any order. So the level is lowered by <c>level at grant + refill − remaining −
/// reserved after</c>, less what was already lowered since the grant, and only when that is positive; in a window that
/// frees at instants, that consumption frees at the dimension's reported reset. A signal without its reservation
/// lowers the level to <c>remaining − everything else in flight + refill since sent</c>.</item>
/// <item><b>Shrink the burst, not the rate, on a 429 with capacity left.</b> A provider that rejects a request while
/// its headers still report room enforces over a shorter period than ours: the safe shape's burst period halves, once
/// per congestion event.</item>
/// <item><b>Fail fast on exhaustion, for as long as it lasts.</b> A quota error that waiting does not cure (billing,
/// spend cap) marks the quota exhausted with a <see cref="QuotaExhaustedException"/> naming the quota and its reset. A
/// per-day quota lasts until the provider's next day (Gemini: midnight Pacific), whatever shorter wait the error
/// names; <c>limit: 0</c> (the model is not in this tier) lasts until <see cref="LlmQuota.ResetExhaustion"/>. A
/// non-retryable 429 that names no reset and no quota (Anthropic's "request too large") is a condition of that one
/// request: it fails alone, and the quota is left as it was.</item>
/// <item><b>Additive increase, multiplicative decrease</b> for a quota in discovery mode whose provider sends no limit
/// headers (Gemini): requests per minute start low, grow by one per success, and halve once per congestion event (a
/// 429 for a request sent before the event's first 429 arrived is the same event).</item>
/// </list>
/// </remarks>
internal static class QuotaAdaptation
{
    /// <summary>The hold after a 429 that names no wait at all.</summary>
    internal static readonly TimeSpan DefaultRateLimitHold = TimeSpan.FromSeconds(1);

    internal static void Apply(LlmQuota quota, in RateLimitSignals signals, QuotaReservation? reservation, TimeSpan sinceSent)
    {
        long now = quota.TimeProvider.GetTimestamp();
        long sentAt = now - (long)(Math.Max(0, sinceSent.TotalSeconds) * quota.TimeProvider.TimestampFrequency);
        bool rateLimited = signals.ErrorClass == RateLimitErrorClass.RateLimited && signals.Retryable != false;
        TimeSpan? hold = rateLimited ? HoldClosed(quota, signals) : null;

        LearnLimits(quota, signals);
        LowerToRemaining(quota, signals, reservation, sinceSent);

        if (rateLimited)
        {
            LowerOnRejection(quota, signals, hold);
            if (ReportsCapacityLeft(signals))
            {
                quota.ShrinkBurst(sentAt);
            }

            quota.Discovery?.OnRateLimited(quota, sentAt, now);
            return;
        }

        switch (signals.ErrorClass)
        {
            case RateLimitErrorClass.QuotaExhausted:
            case RateLimitErrorClass.RateLimited:
                Exhaust(quota, signals);
                break;
            case RateLimitErrorClass.None when signals.StatusCode is >= 200 and < 300:
                quota.Discovery?.OnSuccess(quota, sentAt);
                break;
        }
    }

    private static void LearnLimits(LlmQuota quota, in RateLimitSignals signals)
    {
        var limits = quota.Limits;
        var learned = limits;
        bool requestsPerDay = signals.RequestsWindow == RateLimitWindow.Day;
        if (signals.Requests.Limit is > 0 and var requests)
        {
            learned = requestsPerDay ? learned with { RequestsPerDay = requests } : learned with { RequestsPerMinute = requests };
        }

        // Anthropic's tokens-* headers report the most restrictive of ITPM and OTPM, not a combined limit.
        if (signals.Tokens.Limit is > 0 and var tokens && signals.Provider != LlmProvider.Anthropic)
        {
            learned = learned with { TokensPerMinute = tokens };
        }

        if (signals.InputTokens.Limit is > 0 and var input)
        {
            learned = learned with { InputTokensPerMinute = input };
        }

        if (signals.OutputTokens.Limit is > 0 and var output)
        {
            learned = learned with { OutputTokensPerMinute = output };
        }

        if (learned != limits)
        {
            quota.Discovery?.OnLimitsReported();
            quota.SetLimits(quota.Discovery?.Restore(learned) ?? learned);
        }
    }

    private static void LowerToRemaining(LlmQuota quota, in RateLimitSignals signals, QuotaReservation? reservation, TimeSpan sinceSent)
    {
        bool requestsPerDay = signals.RequestsWindow == RateLimitWindow.Day;
        Lower(quota, requestsPerDay ? QuotaDimension.RequestsPerDay : QuotaDimension.RequestsPerMinute, signals.Requests, reservation, sinceSent);
        if (signals.Provider != LlmProvider.Anthropic)
        {
            Lower(quota, QuotaDimension.TokensPerMinute, signals.Tokens, reservation, sinceSent);
        }

        Lower(quota, QuotaDimension.InputTokensPerMinute, signals.InputTokens, reservation, sinceSent);
        Lower(quota, QuotaDimension.OutputTokensPerMinute, signals.OutputTokens, reservation, sinceSent);
    }

    private static void Lower(LlmQuota quota, QuotaDimension dimension, RateLimitDimension reportedDimension, QuotaReservation? reservation, TimeSpan sinceSent)
    {
        if (reportedDimension.Remaining is not { } reported || quota.Window(dimension) is not { } window)
        {
            return;
        }

        if (reservation?.Mark is { } mark)
        {
            // The server's remaining is its level when it admitted this request. Compared with ours when we granted
            // it (plus the refill until it was sent), the difference is consumption the server counted and we did
            // not make, less any request we reserved after this one that the server happened to admit first.
            // Lower by what no such ordering explains, minus what was lowered since the grant on the same evidence.
            int d = (int)dimension;
            var sentAfterGrant = quota.TimeProvider.GetElapsedTime(mark.GrantTimestamp) - sinceSent;
            long refilledBeforeSent = (long)Math.Ceiling(window.TokensPerSecond * Math.Max(0, sentAfterGrant.TotalSeconds));
            long reservedAfter = Math.Max(0, quota.ReservedTotal(dimension) - mark.ReservedTotal(d));
            long unexplained = mark.Level(d) + refilledBeforeSent - reported - reservedAfter;
            long loweredSince = quota.LoweredTotal(dimension) - mark.Lowered(d);
            quota.LowerBy(dimension, unexplained - loweredSince, reportedDimension.Reset);
            return;
        }

        // No mark (a signal without its reservation): count every other request in flight as unseen, the safe side.
        long mine = reservation is { IsEnded: false } ? LlmQuota.CostOf(reservation.Cost, dimension) : 0;
        long othersInFlight = Math.Max(0, quota.InFlightTokens(dimension) - mine);
        long refilled = (long)(window.TokensPerSecond * Math.Max(0, sinceSent.TotalSeconds));
        window.ReduceAvailableTo(reported - othersInFlight + refilled, reportedDimension.Reset);
    }

    private static TimeSpan HoldClosed(LlmQuota quota, in RateLimitSignals signals)
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

        var hold = wait ?? DefaultRateLimitHold;
        quota.CloseFor(hold);
        return hold;
    }

    /// <summary>The dimensions the rejection says ran out are lowered to zero until the server's wait has passed.</summary>
    private static void LowerOnRejection(LlmQuota quota, in RateLimitSignals signals, TimeSpan? hold)
    {
        var requests = signals.RequestsWindow == RateLimitWindow.Day ? QuotaDimension.RequestsPerDay : QuotaDimension.RequestsPerMinute;
        bool textAboutTokens = signals.ErrorType == "tokens" || signals.TokensLimitFromBody is not null;
        bool textAboutRequests = signals.ErrorType == "requests";
        if (signals.Requests.Remaining == 0 || textAboutRequests)
        {
            quota.Window(requests)?.ReduceAvailableTo(0, signals.Requests.Reset ?? hold);
        }

        if (signals.Provider != LlmProvider.Anthropic && (signals.Tokens.Remaining == 0 || textAboutTokens))
        {
            quota.Window(QuotaDimension.TokensPerMinute)?.ReduceAvailableTo(0, signals.Tokens.Reset ?? hold);
        }

        if (signals.InputTokens.Remaining == 0)
        {
            quota.Window(QuotaDimension.InputTokensPerMinute)?.ReduceAvailableTo(0, signals.InputTokens.Reset ?? hold);
        }

        if (signals.OutputTokens.Remaining == 0)
        {
            quota.Window(QuotaDimension.OutputTokensPerMinute)?.ReduceAvailableTo(0, signals.OutputTokens.Reset ?? hold);
        }
    }

    /// <summary>Whether the response reports room left on every dimension it reports (and reports at least one).</summary>
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

        return any && signals.ErrorType is not ("tokens" or "requests") && signals.TokensLimitFromBody is null;
    }

    private static void Exhaust(LlmQuota quota, in RateLimitSignals signals)
    {
        string reason = signals.ErrorCode ?? signals.ErrorType ?? "quota exhausted";
        if (signals.QuotaLimit == 0)
        {
            // "limit: 0": the model is not available on this tier. No wait cures it.
            quota.MarkExhausted(new QuotaExhaustedException(quota.Key, reason + " (limit 0: the model is not available on this tier)", null), null);
            return;
        }

        bool perDay = signals.QuotaViolations?.Any(v => v.Window == RateLimitWindow.Day) == true || signals.RequestsWindow == RateLimitWindow.Day;
        var stated = signals.RetryAfter ?? signals.BodyRetryHint;
        TimeSpan? reset;
        if (perDay)
        {
            // A per-day quota lasts until the provider's next day, whatever shorter wait the error names (Gemini's
            // RetryInfo says ~40 s while the day's quota is gone until midnight Pacific).
            var dayEnds = quota.TimeUntilNextDay() ?? signals.Requests.Reset ?? TimeSpan.FromHours(24);
            reset = stated is { } s && s > dayEnds ? s : dayEnds;
            quota.ExhaustDays();
        }
        else if (signals.ErrorClass == RateLimitErrorClass.QuotaExhausted)
        {
            reset = stated;
        }
        else if (stated is { } wait)
        {
            // A rate limit the provider says not to retry yet names a wait: hold for it.
            reset = wait;
        }
        else
        {
            // A non-retryable 429 with no reset and no quota named is a condition of that one request: it fails alone.
            return;
        }

        var resetsAt = reset is { } r ? quota.TimeProvider.GetUtcNow() + r : (DateTimeOffset?)null;
        quota.MarkExhausted(new QuotaExhaustedException(quota.Key, reason, resetsAt), reset);
    }
}
