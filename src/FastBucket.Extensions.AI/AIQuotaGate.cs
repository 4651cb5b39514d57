using FastBucket.Estimation;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace FastBucket.Extensions.AI;

/// <summary>
/// What the chat and embedding middleware share: the registry, the estimator and the provider, and the one way a
/// call reserves its estimate on its quota (<see cref="ReserveAsync"/>).
/// </summary>
internal sealed class AIQuotaGate : IDisposable
{
    private readonly QuotaRegistry _quotas;
    private readonly bool _ownsQuotas;
    private readonly string? _account;

    internal AIQuotaGate(FastBucketAIOptions? options, IServiceProvider? services, LlmProvider provider)
    {
        options ??= new FastBucketAIOptions();
        var registered = options.Quotas ?? services?.GetService<QuotaRegistry>();
        _ownsQuotas = registered is null;
        Time = options.TimeProvider ?? services?.GetService<TimeProvider>() ?? TimeProvider.System;
        _quotas = registered ?? new QuotaRegistry(new QuotaRegistryOptions { TimeProvider = Time });
        Estimator = options.Estimator ?? services?.GetService<ITokenEstimator>() ?? new TokenEstimator(new TokenEstimatorOptions(), new TokenEstimateCalibrator());
        _account = options.Account;
        Provider = provider;
    }

    internal QuotaRegistry Quotas => _quotas;

    internal ITokenEstimator Estimator { get; }

    internal TimeProvider Time { get; }

    internal LlmProvider Provider { get; }

    /// <summary>Estimates the request (as the provider's JSON body) and waits in FIFO order until its quota has room.</summary>
    internal async ValueTask<AIQuotaCall> ReserveAsync(string model, ReadOnlyMemory<byte> requestJson, CancellationToken cancellationToken)
    {
        // The quota grants at once when there is room, canceled or not; a call canceled already never reserves.
        cancellationToken.ThrowIfCancellationRequested();
        var estimate = Estimator.Estimate(Provider, model == AIQuotaTarget.UnknownModel ? null : model, requestJson.Span);
        var quota = _quotas.GetOrCreate(new QuotaKey(Provider, model, _account));
        long asked = Time.GetTimestamp();
        QuotaReservation reservation;
        try
        {
            reservation = await quota.ReserveAsync(estimate.Cost, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is QuotaExhaustedException or ArgumentOutOfRangeException or QueueLimitExceededException)
        {
            FastBucketMetrics.Refused(quota.Key);
            throw;
        }

        FastBucketMetrics.Granted(quota.Key, Time.GetElapsedTime(asked));
        return new AIQuotaCall(this, quota, reservation, estimate);
    }

    public void Dispose()
    {
        if (_ownsQuotas)
        {
            _quotas.Dispose();
        }
    }
}
