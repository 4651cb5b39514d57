namespace FastBucket.Redis;

/// <summary>What kind of failure a Redis call met; each is handled by the <see cref="RedisFailurePolicy"/>, and reported differently.</summary>
internal enum RedisQuotaFailureKind
{
    /// <summary>No answer within <see cref="RedisQuotaOptions.OperationTimeout"/> (a stall, a paused client, a slow script).</summary>
    Timeout,

    /// <summary>No connection (the server is down, restarting or out of reach).</summary>
    Unreachable,

    /// <summary>The server answered that it cannot serve now and will by itself (READONLY after a failover, LOADING, BUSY...).</summary>
    Unavailable,

    /// <summary>The server refused the call and will go on refusing until someone acts (NOPERM, OOM, a script error): logged as an error.</summary>
    Rejected,
}
