using System.Diagnostics.CodeAnalysis;
using FastBucket.Providers;

namespace FastBucket.Quotas;

/// <summary>
/// The limits of one provider account on one model, as the HTTP handler and the CLI use them. Implemented in process
/// by <see cref="LlmQuota"/> and across processes by the Redis quota in FastBucket.Redis.
/// </summary>
public interface ILlmQuota : IDisposable
{
    /// <summary>Whose limits these are.</summary>
    QuotaKey Key { get; }

    /// <summary>The limits in force.</summary>
    QuotaLimits Limits { get; }

    /// <summary>Requests reserved here and not yet ended.</summary>
    int InFlight { get; }

    /// <summary>Requests waiting here for room.</summary>
    int QueuedCount { get; }

    /// <summary>The level of one dimension now, or <see langword="null"/> if it is not limited.</summary>
    long? Available(QuotaDimension dimension);

    /// <summary>Reserves <paramref name="cost"/> on every dimension at once if there is room now; never waits.</summary>
    bool TryReserve(RequestCost cost, [NotNullWhen(true)] out QuotaReservation? reservation, out TimeSpan retryAfter);

    /// <summary>Reserves <paramref name="cost"/>, waiting in FIFO order until every dimension has room.</summary>
    ValueTask<QuotaReservation> ReserveAsync(RequestCost cost, CancellationToken cancellationToken = default);

    /// <summary>Adapts to what the provider said about one response.</summary>
    void Observe(in RateLimitSignals signals, QuotaReservation? reservation = null, TimeSpan sinceSent = default);
}
