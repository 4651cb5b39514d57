using FastBucket.Quotas;

namespace FastBucket.Redis;

/// <summary>
/// What one process knows and owes about a shared quota: the newest answer from Redis (<see cref="RedisQuotaSnapshot"/>),
/// the hold after a 429, the writes in flight, and the backlog owed after an outage, sent with the first answer after it.
/// Every answer passes through <see cref="Apply"/>.
/// </summary>
internal sealed class RedisQuotaState
{
    private readonly RedisQuotaScriptClient _client;
    private readonly TimeProvider _time;
    private readonly RedisQuotaFallback _fallback;
    private RedisQuotaSnapshot _snapshot;
    private long _closedUntil;
    private Task _lastWrite = Task.CompletedTask;

    internal RedisQuotaState(RedisQuotaScriptClient client, TimeProvider time, RedisQuotaFallback fallback, RedisQuotaBacklog backlog, RedisQuotaSnapshot initial)
    {
        _client = client;
        _time = time;
        _fallback = fallback;
        Backlog = backlog;
        _snapshot = initial;
    }

    /// <summary>The newest answer.</summary>
    internal RedisQuotaSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>What is owed to Redis.</summary>
    internal RedisQuotaBacklog Backlog { get; }

    /// <summary>The last write sent (reconciliations, signals, a backlog), answered or failed when it completes.</summary>
    internal Task LastWrite => Volatile.Read(ref _lastWrite);

    /// <summary>How long until Redis may be probed again.</summary>
    internal TimeSpan RetryIn => _client.Breaker.RetryIn;

    /// <summary>How long the quota is still held closed here, or zero.</summary>
    internal TimeSpan ClosedFor
    {
        get
        {
            long until = Volatile.Read(ref _closedUntil);
            long now = _time.GetTimestamp();
            return until > now ? _time.GetElapsedTime(now, until) : TimeSpan.Zero;
        }
    }

    /// <summary>Runs a call and applies its answer; <see langword="null"/> when Redis failed.</summary>
    internal async Task<RedisQuotaReply?> RunAsync(RedisQuotaCall call)
    {
        var reply = await _client.RunAsync(call).ConfigureAwait(false);
        if (reply is not null)
        {
            Apply(reply);
        }

        return reply;
    }

    /// <summary>
    /// Runs a reservation, on the caller's thread when <paramref name="synchronous"/>, and applies its answer; <see langword="null"/>
    /// when Redis was not asked (the breaker is open, no connection) or failed. A lease of a failed call is freed once Redis
    /// answers again, whether or not the call ran; one that ran after its timeout and granted is given back whole.
    /// </summary>
    internal async ValueTask<RedisQuotaReply?> ReserveAsync(RedisQuotaCall call, bool synchronous)
    {
        if (!_client.Breaker.TryEnter())
        {
            return null;
        }

        if (!_client.IsConnected)
        {
            // Not connected (yet, or again): send nothing, so that nothing waits in the multiplexer's backlog.
            _client.Breaker.OnFailure();
            return null;
        }

        void GiveBack(RedisQuotaReply late)
        {
            if (late.Status == RedisQuotaScript.Granted)
            {
                Backlog.GiveBack(call.Amounts!, call.Lease);
            }
        }

        var reply = synchronous ? _client.Run(call, GiveBack) : await _client.RunAsync(call, GiveBack).ConfigureAwait(false);
        if (reply is null)
        {
            if (call.Lease is { } lease)
            {
                Backlog.AddLease(lease);
            }

            return null;
        }

        Apply(reply);
        return reply;
    }

    /// <summary>Sends a call without waiting for it; nothing while Redis is known to be unreachable (the caller keeps what must not be lost in the backlog).</summary>
    /// <param name="call">The call.</param>
    /// <param name="failed">Called when it fails, with the failure (the caller puts back in the backlog what must not be lost).</param>
    internal void Write(RedisQuotaCall call, Action<RedisQuotaFailure?>? failed = null)
    {
        if (!_client.Breaker.IsOpen)
        {
            Volatile.Write(ref _lastWrite, WriteAsync(call, failed));
        }
        else
        {
            failed?.Invoke(null);
        }
    }

    private async Task WriteAsync(RedisQuotaCall call, Action<RedisQuotaFailure?>? failed)
    {
        if (await RunAsync(call).ConfigureAwait(false) is null)
        {
            failed?.Invoke(_client.LastFailure);
        }
    }

    /// <summary>Takes in an answer: the newest becomes the snapshot, a hold reaches this process, an outage's fallback ends, and anything owed is sent.</summary>
    internal void Apply(RedisQuotaReply reply)
    {
        var next = RedisQuotaSnapshot.From(reply, _time.GetTimestamp(), _snapshot.Limits);
        RedisQuotaSnapshot current;
        do
        {
            current = Volatile.Read(ref _snapshot);
            if (current.ServerMicroseconds > reply.NowMicroseconds)
            {
                return; // answers can complete out of order; keep the newest
            }
        }
        while (Interlocked.CompareExchange(ref _snapshot, next, current) != current);

        if (reply.HoldLeftMicroseconds > 0)
        {
            CloseFor(TimeSpan.FromMicroseconds(reply.HoldLeftMicroseconds));
        }

        _fallback.End();
        if (Backlog.Take() is { } owed)
        {
            var amounts = new long[QuotaDimensions.RateCount];
            for (int d = 0; d < amounts.Length; d++)
            {
                amounts[d] = owed.Debts[d] + owed.Adjustments[d];
            }

            var call = OwedCall!(amounts, owed.Leases);
            Volatile.Write(ref _lastWrite, FlushAsync(call, owed.Debts, owed.Leases));
        }
    }

    /// <summary>Builds the call that pays a backlog (set by the quota: it knows its limits).</summary>
    internal Func<long[], string[], RedisQuotaCall>? OwedCall { get; set; }

    /// <summary>Holds the quota closed here (and in the fallback) until <paramref name="wait"/> has passed.</summary>
    internal void CloseFor(TimeSpan wait)
    {
        long until = _time.GetTimestamp() + (long)Math.Ceiling(Math.Min(wait.TotalSeconds, 86_400) * _time.TimestampFrequency);
        long current;
        do
        {
            current = Volatile.Read(ref _closedUntil);
            if (current >= until)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _closedUntil, until, current) != current);
        _fallback.CloseFor(wait);
    }

    private async Task FlushAsync(RedisQuotaCall call, long[] debts, string[] leases)
    {
        if (await RunAsync(call).ConfigureAwait(false) is null)
        {
            Backlog.Restore(debts, leases);
        }
    }
}
