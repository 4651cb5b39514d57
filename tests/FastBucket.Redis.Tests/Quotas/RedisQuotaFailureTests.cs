using StackExchange.Redis;

namespace FastBucket.Redis.Tests.Quotas;

public sealed class RedisQuotaFailureTests
{
    [Theory]
    [InlineData("NOPERM this user has no permissions to run the 'evalsha' command", "Rejected", "NOPERM")]
    [InlineData("OOM command not allowed when used memory > 'maxmemory'.", "Rejected", "OOM")]
    [InlineData("ERR user_script:12: Script attempted to access nonexistent global variable", "Rejected", "ERR")]
    [InlineData("READONLY You can't write against a read only replica.", "Unavailable", "READONLY")]
    [InlineData("LOADING Redis is loading the dataset in memory", "Unavailable", "LOADING")]
    [InlineData("BUSY Redis is busy running a script.", "Unavailable", "BUSY")]
    public void From_ServerError_IsClassifiedByItsCode(string message, string kind, string code)
    {
        var failure = RedisQuotaFailure.From(new RedisServerException(message));
        Assert.Equal(kind, failure?.Kind.ToString());
        Assert.Equal(code, failure?.Code);
    }

    [Fact]
    public void From_TimeoutAndConnection_AreOutages_AndOtherExceptionsAreNotRedisFailures()
    {
        Assert.Equal(RedisQuotaFailureKind.Timeout, RedisQuotaFailure.From(new TimeoutException())?.Kind);
        Assert.Equal(RedisQuotaFailureKind.Unreachable, RedisQuotaFailure.From(new RedisConnectionException(ConnectionFailureType.SocketFailure, "down"))?.Kind);
        Assert.Null(RedisQuotaFailure.From(new InvalidOperationException()));
    }
}
