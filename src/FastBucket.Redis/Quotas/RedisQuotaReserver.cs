using System.Diagnostics;
using System.Globalization;
using FastBucket.Quotas;

namespace FastBucket.Redis;

/// <summary>
/// Turns a cost into a reservation of one <see cref="RedisQuota"/>: checks the local hold and this process's own slots,
/// asks Redis (with a lease when concurrency is limited, and the latency margin), or, when Redis cannot be asked, applies
/// the failure policy (<see cref="RedisQuotaFallback"/>).
/// </summary>
internal sealed class RedisQuotaReserver
{
    private readonly RedisQuota _quota;
    private readonly RedisQuotaState _state;
    private readonly RedisQuotaFallback _fallback;
    private readonly QuotaPolicy _policy;
    private readonly RedisQuotaOptions _options;
    private readonly TimeProvider _time;
    private readonly RedisQuotaLatencyMargin _margin;
    private readonly RedisQuotaInFlight _inFlight;
    private readonly Func<QuotaLimits> _configured;
    private readonly Func<string, RedisQuotaCall> _call;
    private readonly string _instanceId = Guid.NewGuid().ToString("N")[..12];
    private long _leaseCounter;
    private int _attempts;

    internal RedisQuotaReserver(RedisQuota quota, RedisQuotaState state, RedisQuotaFallback fallback, QuotaPolicy policy, RedisQuotaOptions options, RedisQuotaLatencyMargin margin, RedisQuotaInFlight inFlight, Func<QuotaLimits> configured, Func<string, RedisQuotaCall> call)
    {
        _quota = quota;
        _state = state;
        _fallback = fallback;
        _policy = policy;
        _options = options;
        _time = policy.TimeProvider;
        _margin = margin;
        _inFlight = inFlight;
        _configured = configured;
        _call = call;
    }

    /// <summary>Attempts under way, and callers between an attempt and their place in the queue (<see cref="Hold"/>).</summary>
    internal int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Counts a caller as under way (+1) or no longer (−1).</summary>
    internal void Hold(int delta) => Interlocked.Add(ref _attempts, delta);

    /// <summary>One try: the reservation, or how long to wait before the next.</summary>
    internal async ValueTask<RedisQuotaAttempt> AttemptAsync(RequestCost cost, bool synchronous)
    {
        Interlocked.Increment(ref _attempts);
        try
        {
            return await TryAttemptAsync(cost, synchronous).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _attempts);
        }
    }

    private async ValueTask<RedisQuotaAttempt> TryAttemptAsync(RequestCost cost, bool synchronous)
    {
        if (_state.ClosedFor is var closed && closed > TimeSpan.Zero)
        {
            return new(null, closed);
        }

        if (_configured().MaxConcurrency is { } slots && _inFlight.Count >= slots)
        {
            return new(null, Timeout.InfiniteTimeSpan); // every slot is ours: only a release here frees one, and it wakes the queue
        }

        var call = _call(RedisQuotaScript.Reserve) with
        {
            Amounts = [.. QuotaDimensions.RateRows.Select(r => r.CostOf(cost))],
            Lease = _configured().MaxConcurrency is null ? null : string.Create(CultureInfo.InvariantCulture, $"{_instanceId}:{Interlocked.Increment(ref _leaseCounter)}"),
            MarginMicroseconds = (long)_margin.Current.TotalMicroseconds,
        };
        long started = _time.GetTimestamp();
        if (await _state.ReserveAsync(call, synchronous).ConfigureAwait(false) is not { } reply)
        {
            return ReserveWithoutRedis(cost);
        }

        _margin.OnRoundTrip(_time.GetElapsedTime(started));
        switch (reply.Status)
        {
            case RedisQuotaScript.Granted:
                return new(Grant(cost, new RedisReservationOwner(_quota, call.Lease, reply.NowMicroseconds, reply.Probed), reply.Mark(_time.GetTimestamp())), TimeSpan.Zero);
            case RedisQuotaScript.ConcurrencyFull:
                return new(null, _options.ConcurrencyPollInterval);
            case RedisQuotaScript.Exhausted:
                throw new QuotaExhaustedException(_policy.Key, reply.Code, _time.GetUtcNow() + TimeSpan.FromMicroseconds(reply.Detail));
            case RedisQuotaScript.TooLarge:
                throw _policy.TooLarge(cost, (QuotaDimension)reply.Detail, _policy.Capacity(reply.Limits[(int)reply.Detail]));
            default:
                Debug.Assert(reply.Status == RedisQuotaScript.Refused);
                return new(null, TimeSpan.FromMicroseconds(Math.Max(1, reply.Detail)));
        }
    }

    private RedisQuotaAttempt ReserveWithoutRedis(in RequestCost cost)
    {
        var probe = _state.RetryIn;
        if (_options.FailurePolicy == RedisFailurePolicy.FailClosed)
        {
            return new(null, probe);
        }

        if (!_fallback.TryReserve(cost, _state.Snapshot, _inFlight.Count, out var local, out var retryAfter))
        {
            return new(null, retryAfter != Timeout.InfiniteTimeSpan && retryAfter < probe ? retryAfter : probe);
        }

        // The local reservation is ended through its owner, so that it is reconciled locally and owed to Redis.
        return new(Grant(cost, new LocalFallbackReservationOwner(_quota, local), mark: null), TimeSpan.Zero);
    }

    private QuotaReservation Grant(in RequestCost cost, IQuotaReservationOwner owner, ReservationMark? mark)
    {
        _inFlight.Add(cost);
        if (mark is not null)
        {
            // What this process had in flight, this one included, as LlmQuota's mark reads it after its own take: the
            // forgetting rule counts those charges as possibly unseen by the provider (other processes' are covered by
            // the script's margin of seconds; see its forget).
            var tokens = _inFlight.Tokens;
            for (int d = 0; d < tokens.Length; d++)
            {
                mark.InFlight(d) = Volatile.Read(in tokens[d]);
            }
        }

        return new QuotaReservation(_quota, owner, cost) { Mark = mark };
    }
}
