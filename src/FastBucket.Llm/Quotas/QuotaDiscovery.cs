namespace FastBucket.Quotas;

/// <summary>
/// Discovery mode: a quota with no configured limits starts conservatively and learns from the provider.
/// Until a response reports limits it lets one request at a time through; once one does, the learned limits take
/// over with the configured concurrency. For a provider that never reports limits (Gemini), requests per minute
/// follow additive increase, multiplicative decrease (<see cref="Congestion.CongestionController"/>): +1 per success
/// (the rate can double each minute), halved once per congestion event, never below 1. Until the first congestion
/// event the increase is <see cref="SlowStartStep"/> per success (a slow start, as TCP's: the rate doubles about every
/// 10 s of sending at it), because the provider's 429 states the limit it enforces (Gemini's <c>quotaValue</c>) and the
/// quota counts what it sent while no limit was known: one 429 teaches more than a minute of probing.
/// </summary>
internal sealed class QuotaDiscovery
{
    /// <summary>What one success adds to the request rate before the first congestion event.</summary>
    internal const long SlowStartStep = 4;

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

    /// <summary>Discovery for <paramref name="key"/>: additive increase where its provider reports no limits (Gemini).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialRequestsPerMinute"/> is not positive.</exception>
    internal static QuotaDiscovery For(QuotaKey key, int? configuredConcurrency, long initialRequestsPerMinute = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialRequestsPerMinute);
        return new QuotaDiscovery(configuredConcurrency, key.Provider != Providers.LlmProvider.Gemini, initialRequestsPerMinute);
    }

    /// <summary>The limits to start with.</summary>
    internal QuotaLimits Initial => _aimd
        ? new QuotaLimits { RequestsPerMinute = _rate.Rate, MaxConcurrency = _configuredConcurrency }
        : new QuotaLimits { MaxConcurrency = 1 };

    /// <summary>Whether requests per minute follow this discovery's AIMD now: the provider reports no limits and none was reported yet.</summary>
    internal bool FollowsAimd => _aimd && Volatile.Read(ref _limitsReported) == 0;

    /// <summary>
    /// Whether the quota counts what is sent on per-minute dimensions it has no limit for yet: the provider reports
    /// none (Gemini), so a limit arrives only in a 429 (its <c>quotaValue</c>), when the provider's window is already
    /// full of what we sent; the limit must start from that, not from an empty window.
    /// </summary>
    internal bool TracksUnlimited => _aimd;

    /// <summary>Requests per minute now, when following AIMD.</summary>
    internal long RequestsPerMinute => _rate.Rate;

    internal void OnLimitsReported() => Volatile.Write(ref _limitsReported, 1);

    /// <summary>Learned limits with the configured concurrency in place of the discovery throttle.</summary>
    internal QuotaLimits Restore(QuotaLimits learned) =>
        Volatile.Read(ref _limitsReported) != 0 ? learned with { MaxConcurrency = _configuredConcurrency } : learned;

    /// <summary>
    /// A request sent at <paramref name="sentAt"/> succeeded: the limits to adopt when additive increase grew the rate
    /// enough to re-limit, else <see langword="null"/>. Requests sent before the last congestion event do not count.
    /// </summary>
    internal QuotaLimits? OnSuccess(QuotaLimits current, long sentAt)
    {
        if (!_aimd || Volatile.Read(ref _limitsReported) != 0 || _rate.OnSuccess(sentAt, _rate.HasCongested ? 1 : SlowStartStep) is not { } now)
        {
            return null;
        }

        long applied = Volatile.Read(ref _applied);

        // Re-limiting the bucket on every success would rebuild it constantly; apply once the rate grew by a tenth.
        return now >= applied + Math.Max(1, applied / 10) && Interlocked.CompareExchange(ref _applied, now, applied) == applied
            ? current with { RequestsPerMinute = now }
            : null;
    }

    /// <summary>
    /// A 429 arrived at <paramref name="arrivedAt"/> for a request sent at <paramref name="sentAt"/>: the limits with
    /// requests per minute halved when it starts a congestion event and AIMD is followed, else <see langword="null"/>.
    /// </summary>
    internal QuotaLimits? OnRateLimited(QuotaLimits current, long sentAt, long arrivedAt)
    {
        if (!_aimd || Volatile.Read(ref _limitsReported) != 0 || _rate.OnRateLimited(sentAt, arrivedAt) is not { } halved)
        {
            return null;
        }

        Volatile.Write(ref _applied, halved);
        return current with { RequestsPerMinute = halved };
    }
}
