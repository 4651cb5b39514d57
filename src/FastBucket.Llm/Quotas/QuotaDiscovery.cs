namespace FastBucket.Quotas;

/// <summary>
/// Discovery mode: a quota with no configured limits starts conservatively and learns from the provider.
/// Until a response reports limits it lets one request at a time through; once one does, the learned limits take
/// over with the configured concurrency. For a provider that never reports limits (Gemini), requests per minute
/// follow additive increase, multiplicative decrease: +1 per success (the rate can double each minute), halved once
/// per congestion event, never below 1.
/// </summary>
internal sealed class QuotaDiscovery
{
    private readonly int? _configuredConcurrency;
    private readonly bool _aimd;
    private readonly Congestion.CongestionController _rate;
    private long _applied;
    private int _limitsReported;

    internal QuotaDiscovery(int? configuredConcurrency, bool providerReportsLimits, long initialRequestsPerMinute)
    {
        _configuredConcurrency = configuredConcurrency;
        _aimd = !providerReportsLimits;
        _rate = new Congestion.CongestionController(initialRequestsPerMinute);
        _applied = initialRequestsPerMinute;
    }

    /// <summary>The limits to start with.</summary>
    internal QuotaLimits Initial => _aimd
        ? new QuotaLimits { RequestsPerMinute = _rate.Rate, MaxConcurrency = _configuredConcurrency }
        : new QuotaLimits { MaxConcurrency = 1 };

    /// <summary>Requests per minute now, when following AIMD.</summary>
    internal long RequestsPerMinute => _rate.Rate;

    internal void OnLimitsReported() => Volatile.Write(ref _limitsReported, 1);

    /// <summary>Learned limits with the configured concurrency in place of the discovery throttle.</summary>
    internal QuotaLimits Restore(QuotaLimits learned) =>
        Volatile.Read(ref _limitsReported) != 0 ? learned with { MaxConcurrency = _configuredConcurrency } : learned;

    /// <summary>A request sent at <paramref name="sentAt"/> succeeded: +1 request per minute (not for requests sent before the last congestion event).</summary>
    internal void OnSuccess(LlmQuota quota, long sentAt)
    {
        if (!_aimd || Volatile.Read(ref _limitsReported) != 0 || _rate.OnSuccess(sentAt) is not { } now)
        {
            return;
        }

        long applied = Volatile.Read(ref _applied);

        // Re-limiting the quota on every success would rebuild its windows constantly; apply once the rate grew by a tenth.
        if (now >= applied + Math.Max(1, applied / 10) && Interlocked.CompareExchange(ref _applied, now, applied) == applied)
        {
            quota.SetLimits(quota.Limits with { RequestsPerMinute = now });
        }
    }

    /// <summary>A 429 arrived at <paramref name="arrivedAt"/> for a request sent at <paramref name="sentAt"/>: halves the rate once per congestion event.</summary>
    internal void OnRateLimited(LlmQuota quota, long sentAt, long arrivedAt)
    {
        if (!_aimd || Volatile.Read(ref _limitsReported) != 0 || _rate.OnRateLimited(sentAt, arrivedAt) is not { } halved)
        {
            return;
        }

        Volatile.Write(ref _applied, halved);
        quota.SetLimits(quota.Limits with { RequestsPerMinute = halved });
    }
}
