using FastBucket.Providers;

namespace FastBucket.Quotas;

/// <summary>
/// How an <see cref="LlmQuota"/> learns from what the provider said about one response. The rules, in order:
/// </summary>
/// <remarks>
/// <list type="number">
/// <item><b>Learn capacities.</b> A reported <c>*-limit</c> becomes the dimension's capacity (requests per day when the
/// provider counts requests per day, as Groq does). A smaller limit takes effect at once; the level is kept, clamped.</item>
/// <item><b>Lower on evidence of consumption made elsewhere, never raise.</b> The server's remaining was computed
/// when it admitted this request. Our level when we granted it, plus the refill until it was sent, minus the server's
/// remaining is consumption the server counted and we did not make (another process on the key, or a provider that
/// counts a prompt higher than our estimate), except for requests we reserved after this one that the server admitted
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
/// <item><b>Additive increase, multiplicative decrease</b> for a quota in discovery mode whose provider sends no limit
/// headers (Gemini): requests per minute start low, grow by one per minute's worth of successes, and halve on each 429.</item>
/// </list>
/// </remarks>
internal static class QuotaAdaptation
{
    /// <summary>The hold after a 429 that names no wait at all.</summary>
    internal static readonly TimeSpan DefaultRateLimitHold = TimeSpan.FromSeconds(1);

    internal static void Apply(LlmQuota quota, in RateLimitSignals signals, QuotaReservation? reservation, TimeSpan sinceSent)
    {
        LearnLimits(quota, signals);
        LowerToRemaining(quota, signals, reservation, sinceSent);

        switch (signals.ErrorClass)
        {
            case RateLimitErrorClass.RateLimited when signals.Retryable != false:
                HoldClosed(quota, signals);
                quota.Discovery?.OnRateLimited(quota);
                break;
            case RateLimitErrorClass.QuotaExhausted:
            case RateLimitErrorClass.RateLimited:
                var reset = ExhaustionReset(signals);
                var resetsAt = reset is { } r ? quota.TimeProvider.GetUtcNow() + r : (DateTimeOffset?)null;
                quota.MarkExhausted(new QuotaExhaustedException(quota.Key, signals.ErrorCode ?? signals.ErrorType ?? "quota exhausted", resetsAt), reset);
                break;
            case RateLimitErrorClass.None when signals.StatusCode is >= 200 and < 300:
                quota.Discovery?.OnSuccess(quota);
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

        if (signals.Tokens.Limit is > 0 and var tokens)
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
        Lower(quota, requestsPerDay ? QuotaDimension.RequestsPerDay : QuotaDimension.RequestsPerMinute, signals.Requests.Remaining, reservation, sinceSent);
        Lower(quota, QuotaDimension.TokensPerMinute, signals.Tokens.Remaining, reservation, sinceSent);
        Lower(quota, QuotaDimension.InputTokensPerMinute, signals.InputTokens.Remaining, reservation, sinceSent);
        Lower(quota, QuotaDimension.OutputTokensPerMinute, signals.OutputTokens.Remaining, reservation, sinceSent);
    }

    private static void Lower(LlmQuota quota, QuotaDimension dimension, long? remaining, QuotaReservation? reservation, TimeSpan sinceSent)
    {
        if (remaining is not { } reported || quota.Bucket(dimension) is not { } bucket)
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
            long refilledBeforeSent = (long)Math.Ceiling(bucket.TokensPerSecond * Math.Max(0, sentAfterGrant.TotalSeconds));
            long reservedAfter = Math.Max(0, quota.ReservedTotal(dimension) - mark.ReservedTotal(d));
            long unexplained = mark.Level(d) + refilledBeforeSent - reported - reservedAfter;
            long loweredSince = quota.LoweredTotal(dimension) - mark.Lowered(d);
            quota.LowerBy(dimension, unexplained - loweredSince);
            return;
        }

        // No mark (a signal without its reservation): count every other request in flight as unseen, the safe side.
        long mine = reservation is { IsEnded: false } ? LlmQuota.CostOf(reservation.Cost, dimension) : 0;
        long othersInFlight = Math.Max(0, quota.InFlightTokens(dimension) - mine);
        long refilled = (long)(bucket.TokensPerSecond * Math.Max(0, sinceSent.TotalSeconds));
        bucket.ReduceAvailableTo(reported - othersInFlight + refilled);
    }

    private static void HoldClosed(LlmQuota quota, in RateLimitSignals signals)
    {
        var wait = signals.RetryAfter ?? signals.BodyRetryHint;
        if (wait is null)
        {
            // The dimension that ran out tells when it has room again.
            foreach (var dimension in new[] { signals.Requests, signals.Tokens, signals.InputTokens, signals.OutputTokens })
            {
                if (dimension.Remaining == 0 && dimension.Reset is { } reset && (wait is null || reset > wait))
                {
                    wait = reset;
                }
            }
        }

        quota.CloseFor(wait ?? DefaultRateLimitHold);
        if (signals.Requests.Remaining == 0)
        {
            quota.Bucket(signals.RequestsWindow == RateLimitWindow.Day ? QuotaDimension.RequestsPerDay : QuotaDimension.RequestsPerMinute)?.ReduceAvailableTo(0);
        }

        if (signals.Tokens.Remaining == 0)
        {
            quota.Bucket(QuotaDimension.TokensPerMinute)?.ReduceAvailableTo(0);
        }
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
