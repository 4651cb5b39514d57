using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace FastBucket.Redis;

/// <summary>
/// Runs <see cref="RedisQuotaScript"/> for one quota: one timeout (<see cref="RedisQuotaOptions.OperationTimeout"/>) for
/// the asynchronous and the blocking path alike, the outage breaker, and what happens after a timeout: the call may
/// still run on the server later, so its answer, when it comes, is handed to the caller's clean-up.
/// </summary>
/// <remarks>
/// Every failure is classified (<see cref="RedisQuotaFailure"/>), counted in the <c>fastbucket.redis.failures</c>
/// metric (tags <c>kind</c>, <c>code</c>) and logged: a warning when an outage begins, an error for a refusal that
/// needs an operator (NOPERM, OOM, a script error). Exceptions that are not Redis failures still end a probe.
/// </remarks>
internal sealed class RedisQuotaScriptClient
{
    private static readonly byte[] ScriptHash = SHA1.HashData(Encoding.UTF8.GetBytes(RedisQuotaScript.Source));
    private static readonly Meter Meter = new("FastBucket");
    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("fastbucket.redis.failures", description: "Redis calls of shared quotas that failed, by kind and server error code.");

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKey[] _keys;
    private readonly TimeSpan _timeout;
    private readonly ILogger? _logger;
    private readonly string _name;
    private RedisQuotaFailure? _lastFailure;
    private int _late;

    internal RedisQuotaScriptClient(IConnectionMultiplexer redis, RedisKey[] keys, RedisQuotaOptions options, TimeProvider time, string name)
    {
        _redis = redis;
        _keys = keys;
        _timeout = options.OperationTimeout;
        _logger = options.Logger;
        _name = name;
        Breaker = new RedisOutageBreaker(time);
    }

    /// <summary>Whether Redis may be asked now.</summary>
    internal RedisOutageBreaker Breaker { get; }

    /// <summary>The last failure, for diagnostics.</summary>
    internal RedisQuotaFailure? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>Calls that timed out and whose fate (ran late, or never) is not known yet.</summary>
    internal int PendingLate => Volatile.Read(ref _late);

    /// <summary>Whether the multiplexer has a connection now.</summary>
    internal bool IsConnected => _redis.IsConnected;

    /// <summary>Runs <paramref name="call"/>, waiting at most the operation timeout.</summary>
    /// <param name="call">The call.</param>
    /// <param name="late">After a timeout, receives the answer if the call ran after all (the caller undoes what it did).</param>
    /// <returns>The answer, or <see langword="null"/> when Redis failed (recorded; the breaker knows).</returns>
    internal async Task<RedisQuotaReply?> RunAsync(RedisQuotaCall call, Action<RedisQuotaReply>? late = null)
    {
        var sent = Send(call.ToArguments());
        try
        {
            var result = await sent.WaitAsync(_timeout, TimeProvider.System).ConfigureAwait(false);
            return Succeeded(result);
        }
        catch (Exception ex)
        {
            Failed(ex, sent, late);
            return null;
        }
    }

    /// <summary>As <see cref="RunAsync"/>, blocking the caller: for <see cref="RedisQuota.TryReserve"/>. The same timeout bounds the block.</summary>
    internal RedisQuotaReply? Run(RedisQuotaCall call, Action<RedisQuotaReply>? late = null)
    {
        var sent = Send(call.ToArguments());
        try
        {
            // The multiplexer completes the task from its own reader, not from a continuation on the thread pool, so
            // blocking here does not wait for a pool thread; and the wait is bounded by the timeout either way.
            if (!sent.Wait(_timeout))
            {
                throw new TimeoutException($"Redis did not answer within {_timeout.TotalMilliseconds:0} ms.");
            }

            return Succeeded(sent.GetAwaiter().GetResult());
        }
        catch (Exception ex)
        {
            Failed(ex is AggregateException { InnerException: { } inner } ? inner : ex, sent, late);
            return null;
        }
    }

    private async Task<RedisResult> Send(RedisValue[] args)
    {
        var database = _redis.GetDatabase();
        try
        {
            return await database.ScriptEvaluateAsync(ScriptHash, _keys, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // First use on this server (or after a restart): send the source once; the server caches it by its SHA1.
            return await database.ScriptEvaluateAsync(RedisQuotaScript.Source, _keys, args).ConfigureAwait(false);
        }
    }

    private RedisQuotaReply Succeeded(RedisResult result)
    {
        var reply = RedisQuotaReply.Parse(result);
        if (Breaker.IsOpen && _logger is { } logger)
        {
            logger.LogInformation("Redis answers again for the {Quota} quota.", _name);
        }

        Breaker.OnSuccess();
        return reply;
    }

    private void Failed(Exception error, Task<RedisResult> sent, Action<RedisQuotaReply>? late)
    {
        if (RedisQuotaFailure.From(error) is not { } failure)
        {
            // Not Redis's failure (a bug, a disposed connection): end a probe all the same, then let it surface.
            Breaker.OnAbandoned();
            throw new InvalidOperationException($"A Redis call of the {_name} quota failed: {error.Message}", error);
        }

        bool wasOpen = Breaker.IsOpen;
        Breaker.OnFailure();
        Record(failure);
        if (_logger is { } logger && (!wasOpen || failure.Kind == RedisQuotaFailureKind.Rejected))
        {
            var level = failure.Kind == RedisQuotaFailureKind.Rejected ? LogLevel.Error : LogLevel.Warning;
            logger.Log(level, "Redis failed for the {Quota} quota ({Kind}, {Code}): {Message}. The failure policy applies until it answers again.", _name, failure.Kind, failure.Code, failure.Message);
        }

        if (failure.Kind == RedisQuotaFailureKind.Timeout && late is not null)
        {
            // The call may still run on the server: when its answer comes, the caller undoes what it did.
            Interlocked.Increment(ref _late);
            _ = sent.ContinueWith(
                static (task, state) =>
                {
                    var (client, undo) = ((RedisQuotaScriptClient, Action<RedisQuotaReply>))state!;
                    try
                    {
                        if (task.IsCompletedSuccessfully)
                        {
                            undo(RedisQuotaReply.Parse(task.Result));
                        }
                        else
                        {
                            _ = task.Exception; // observed: the call never ran, or its fate is unknown (its lease is freed with the backlog)
                        }
                    }
                    finally
                    {
                        Interlocked.Decrement(ref client._late);
                    }
                },
                (this, late),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
        else
        {
            _ = sent.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private void Record(RedisQuotaFailure failure)
    {
        Volatile.Write(ref _lastFailure, failure);
        Failures.Add(1, new KeyValuePair<string, object?>("kind", failure.Kind.ToString()), new KeyValuePair<string, object?>("code", failure.Code));
    }
}
