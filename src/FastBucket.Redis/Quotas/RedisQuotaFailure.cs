namespace FastBucket.Redis;

/// <summary>Why a Redis call failed, as a <see cref="RedisQuota"/> reports it in logs and the <c>fastbucket.redis.failures</c> metric.</summary>
/// <param name="Kind">What kind of failure.</param>
/// <param name="Code">The server's error code (<c>NOPERM</c>, <c>READONLY</c>, <c>OOM</c>...) or the exception's type.</param>
/// <param name="Message">The error's message.</param>
internal sealed record RedisQuotaFailure(RedisQuotaFailureKind Kind, string Code, string Message)
{
    /// <summary>Classifies <paramref name="error"/>; <see langword="null"/> when it is not a Redis failure at all.</summary>
    internal static RedisQuotaFailure? From(Exception error) => error switch
    {
        StackExchange.Redis.RedisServerException server => Server(server.Message),
        StackExchange.Redis.RedisTimeoutException or TimeoutException => new(RedisQuotaFailureKind.Timeout, "TIMEOUT", error.Message),
        StackExchange.Redis.RedisException => new(RedisQuotaFailureKind.Unreachable, error.GetType().Name, error.Message),
        _ => null,
    };

    private static RedisQuotaFailure Server(string message)
    {
        int space = message.IndexOf(' ', StringComparison.Ordinal);
        string code = space > 0 ? message[..space] : message;

        // A replica after a failover, a server loading its data or busy with a script, a cluster moving: these pass.
        // Everything else (NOPERM, OOM, WRONGTYPE, ERR from the script) needs an operator: it is reported as such.
        var kind = code is "READONLY" or "LOADING" or "BUSY" or "MASTERDOWN" or "TRYAGAIN" or "CLUSTERDOWN"
            ? RedisQuotaFailureKind.Unavailable
            : RedisQuotaFailureKind.Rejected;
        return new(kind, code, message);
    }
}
