namespace FastBucket.Redis.Tests.Infrastructure;

/// <summary>
/// A test that needs redis-server: skipped, with the reason shown, when it is not on PATH; but when
/// FASTBUCKET_REQUIRE_REDIS=1 (CI) it runs, and fails if there is no server.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (!RedisServer.Required && RedisServer.FindExecutable() is null)
        {
            Skip = "redis-server is not on PATH (set FASTBUCKET_REQUIRE_REDIS=1 to make this a failure instead of a skip).";
        }
    }
}
