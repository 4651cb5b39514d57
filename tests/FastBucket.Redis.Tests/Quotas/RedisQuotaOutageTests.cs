using FastBucket.Quotas;
using FastBucket.Redis.Tests.Infrastructure;

namespace FastBucket.Redis.Tests.Quotas;

/// <summary>Redis killed and restarted mid-run, each test on a server of its own.</summary>
public sealed class RedisQuotaOutageTests
{
    /// <summary>A quota that degrades to the local fallback in an outage, as one of 4 instances (a quarter of each level).</summary>
    private static Task<RedisQuota> DegradingToQuarterAsync(RedisQuotaHarness harness, QuotaLimits limits) =>
        harness.CreateAsync(limits, o =>
        {
            o.FailurePolicy = RedisFailurePolicy.DegradeToLocal;
            o.ExpectedInstances = 4;
        });

    /// <summary>How many of <paramref name="attempts"/> one-request reservations are granted now.</summary>
    private static int Granted(ILlmQuota quota, int attempts)
    {
        int granted = 0;
        for (int i = 0; i < attempts; i++)
        {
            granted += quota.TryReserve(new RequestCost(1, 0, 0), out _, out _) ? 1 : 0;
        }

        return granted;
    }

    private static async Task UntilConnectedAsync(RedisQuotaHarness harness, RedisQuota quota)
    {
        // Real time, bounded: the multiplexer reconnects by itself; the quota probes on its (fake) backoff.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await quota.RefreshAsync())
        {
            Assert.True(DateTime.UtcNow < deadline, "The quota never returned to Redis after the restart.");
            harness.Time!.Advance(TimeSpan.FromSeconds(6)); // past the longest backoff
            await Task.Delay(50);
        }
    }

    [RedisFact]
    public async Task Reserve_RedisDownWithDegrade_UsesOneNthOfTheSharedLevel_AndReportsTheOutageBackAfterRestart()
    {
        await using var server = await RedisServer.StartAsync();
        await using var harness = new RedisQuotaHarness(server);
        var quota = await DegradingToQuarterAsync(harness, new QuotaLimits { RequestsPerDay = 100 });
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
        Assert.False(quota.IsDegraded);

        await server.StopAsync();
        int granted = Granted(quota, attempts: 40);

        Assert.True(quota.IsDegraded);
        Assert.Equal(24, granted); // a quarter (4 instances) of the 99 Redis had left, not of a full bucket: per day, no refill to speak of
        Assert.NotNull(quota.Fallback);
        Assert.Equal(0, quota.Available(QuotaDimension.RequestsPerDay));

        await server.StartAgainAsync();
        await UntilConnectedAsync(harness, quota);
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
        Assert.False(quota.IsDegraded);
        // The restarted server lost its state (full again); the 24 admitted during the outage were reported back, then one taken.
        Assert.Equal(75, quota.Available(QuotaDimension.RequestsPerDay));
    }

    [RedisFact]
    public async Task Reserve_RedisDownWithDegrade_PerMinuteRequestsToo_StartFromOneNthOfTheSharedLevel()
    {
        // The request limit's window is wrapped in the request pace; seeding the fallback looked only for a bare bucket
        // and so started it full (the fault table's DegradeToLocal rows admitted up to 1.8 times their bound).
        await using var server = await RedisServer.StartAsync();
        await using var harness = new RedisQuotaHarness(server);
        var quota = await DegradingToQuarterAsync(harness, new QuotaLimits { RequestsPerMinute = 100 });
        for (int i = 0; i < 60; i++)
        {
            Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out var reservation, out _));
            reservation.Dispose();
        }

        await server.StopAsync();
        int granted = Granted(quota, attempts: 40);

        Assert.True(quota.IsDegraded);
        // A quarter of the 40 Redis had left, plus a quarter of what refilled (100 a minute) while the server stopped;
        // a fallback started full would have granted 25.
        Assert.InRange(granted, 10, 15);
    }

    [RedisFact]
    public async Task Reserve_RedisDownWithFailClosed_RefusesAndWaits_ThenGrantsAfterRestart()
    {
        await using var server = await RedisServer.StartAsync();
        await using var harness = new RedisQuotaHarness(server);
        var quota = await harness.CreateAsync(new QuotaLimits { RequestsPerMinute = 100 }, o => o.FailurePolicy = RedisFailurePolicy.FailClosed);
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));

        await server.StopAsync();
        Assert.False(quota.TryReserve(new RequestCost(1, 0, 0), out _, out var retryAfter));
        Assert.True(retryAfter > TimeSpan.Zero);
        Assert.True(quota.IsDegraded);
        Assert.False(quota.TryReserve(new RequestCost(1, 0, 0), out _, out _)); // no command sent: the breaker is open
        var waiting = quota.ReserveAsync(new RequestCost(1, 0, 0)).AsTask();
        await RedisQuotaHarness.UntilSleepingAsync(quota);
        Assert.False(waiting.IsCompleted);
        Assert.Null(quota.Fallback);

        await server.StartAgainAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!waiting.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "The waiter was never granted after the restart.");
            harness.Time!.Advance(TimeSpan.FromSeconds(6));
            await Task.WhenAny(waiting, Task.Delay(50));
        }

        (await waiting).Dispose();
        Assert.False(quota.IsDegraded);
    }

    [RedisFact]
    public async Task Reserve_RedisDownWithDegrade_ChecksThisProcessesShareOfTheConcurrencyAgainstEverythingInFlightHere()
    {
        await using var server = await RedisServer.StartAsync();
        await using var harness = new RedisQuotaHarness(server);
        var quota = await harness.CreateAsync(new QuotaLimits { RequestsPerDay = 100, MaxConcurrency = 4 }, o => o.ExpectedInstances = 2);
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out var viaRedis, out _));

        await server.StopAsync();
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out var local, out _)); // 2 in flight here: the share of 4 / 2
        Assert.True(quota.IsDegraded);
        Assert.False(quota.TryReserve(new RequestCost(1, 0, 0), out _, out _)); // not 4: the whole limit is not this process's
        local.Dispose();
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
        viaRedis.Dispose();
    }
}
