namespace FastBucket.Redis.Tests.Infrastructure;

/// <summary>A measurement, not a test: runs only with FASTBUCKET_MEASURE=1 (and a redis-server).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MeasureFactAttribute : FactAttribute
{
    public MeasureFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("FASTBUCKET_MEASURE") != "1")
        {
            Skip = "A measurement: set FASTBUCKET_MEASURE=1 to run it (writes perf-results/redis.md and redis.csv).";
        }
        else if (RedisServer.FindExecutable() is null)
        {
            Skip = "redis-server is not on PATH.";
        }
    }
}
