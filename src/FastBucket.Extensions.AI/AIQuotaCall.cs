using System.Net;
using FastBucket.Estimation;
using FastBucket.Quotas;
using FastBucket.Telemetry;
using Microsoft.Extensions.AI;

namespace FastBucket.Extensions.AI;

/// <summary>
/// One call's reservation, from the moment it is granted to the moment it ends. It ends exactly once, by the first
/// of <see cref="Succeeded"/>, <see cref="Failed"/> or <see cref="CutShort"/>; later calls do nothing.
/// </summary>
/// <remarks>
/// The rules, the same as <c>FastBucketHandler</c>'s where the two overlap: usage reported reconciles the
/// reservation (and calibrates the estimator); a response without usage keeps the whole charge; a 429 keeps
/// the request (providers count rejected requests) and gives the tokens back, after closing the quota for the
/// provider's wait; any other failure before a response keeps the request and gives the tokens back too. A stream cut short (the caller stopped reading,
/// canceled, or the stream broke) is charged the estimated input and the output tokens received so far: output
/// never sent is given back.
/// </remarks>
internal sealed class AIQuotaCall
{
    private readonly AIQuotaGate _gate;
    private readonly ILlmQuota _quota;
    private readonly QuotaReservation _reservation;
    private readonly TokenEstimate _estimate;
    private readonly long _sent;

    internal AIQuotaCall(AIQuotaGate gate, ILlmQuota quota, QuotaReservation reservation, TokenEstimate estimate)
    {
        _gate = gate;
        _quota = quota;
        _reservation = reservation;
        _estimate = estimate;
        _sent = gate.Time.GetTimestamp();
    }

    /// <summary>What was reserved.</summary>
    internal RequestCost Cost => _reservation.Cost;

    /// <summary>Whether the reservation has ended.</summary>
    internal bool IsEnded => _reservation.IsEnded;

    /// <summary>The call returned; <paramref name="usage"/> is what the provider reported, if anything.</summary>
    internal void Succeeded(UsageDetails? usage)
    {
        if (ToTokenUsage(usage) is { } actual)
        {
            _reservation.Complete(actual);
            _gate.Estimator.Reconcile(_estimate, actual);
        }
        else
        {
            // No usage reported: keep the reserved charge.
            _reservation.Dispose();
        }
    }

    /// <summary>The call threw <paramref name="exception"/> before any of its response arrived.</summary>
    internal void Failed(Exception exception)
    {
        if (_reservation.IsEnded)
        {
            return;
        }

        if (ExceptionSignals.TryRead(_gate.Provider, exception, _gate.Time.GetUtcNow(), out var signals))
        {
            // Observed before the reservation ends: ending it frees its slot and refunds tokens, which wakes the queue,
            // and a 429's hold must be in place by then or a queued request is sent straight into the same 429.
            _quota.Observe(signals, _reservation, _gate.Time.GetElapsedTime(_sent));
            if (signals.StatusCode == (int)HttpStatusCode.TooManyRequests)
            {
                FastBucketMetrics.RateLimited(_quota.Key);
            }

            // Every error, a 429 included, keeps its request and gives the tokens back: providers count rejected
            // requests against the request limits (OpenAI: "unsuccessful requests contribute to your per-minute limit").
            _reservation.CompleteRejected();
            return;
        }

        // Never reached the provider, or we cannot know: keep the request count, give the tokens back.
        _reservation.CompleteRejected();
    }

    /// <summary>A stream ended early, after <paramref name="outputTokensReceived"/> output tokens had arrived.</summary>
    internal void CutShort(long outputTokensReceived) =>
        _reservation.Complete(new TokenUsage(_estimate.Cost.InputTokens, Math.Max(0, outputTokensReceived)));

    /// <summary>Input and output tokens from M.E.AI's usage, or <see langword="null"/> when it reports neither.</summary>
    internal static TokenUsage? ToTokenUsage(UsageDetails? usage)
    {
        if (usage is null)
        {
            return null;
        }

        long? input = usage.InputTokenCount;
        long? output = usage.OutputTokenCount;
        if (input is null && output is null)
        {
            // Some providers report only the total: count it as input, which every token limit counts.
            return usage.TotalTokenCount is > 0 and var total ? new TokenUsage(total, 0) : null;
        }

        return new TokenUsage(Math.Max(0, input ?? 0), Math.Max(0, output ?? 0));
    }
}
