using System.Diagnostics;
using System.Diagnostics.Metrics;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Redis.Tests.Infrastructure;
using StackExchange.Redis;

namespace FastBucket.Redis.Tests.Quotas;

/// <summary>Redis stalled (CLIENT PAUSE, DEBUG SLEEP), refusing (an ACL user without scripts), each test on a server of its own.</summary>
public sealed class RedisQuotaFaultTests
{
    private static readonly RequestCost One = new(1, 0, 0);

    /// <summary>Real time, bounded: Redis answers again (the quota probes on its fake backoff, advanced past its longest step).</summary>
    private static async Task UntilAnsweringAsync(RedisQuotaHarness harness, RedisQuota quota)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await quota.RefreshAsync())
        {
            Assert.True(DateTime.UtcNow < deadline, "Redis never answered again.");
            harness.Time!.Advance(TimeSpan.FromSeconds(6));
        }

        await quota.FlushAsync(); // the backlog owed since the fault
        await quota.FlushAsync();
    }

    private static async Task<long> LeasesAsync(RedisQuotaHarness harness, RedisQuota quota) =>
        await (await harness.ConnectAsync()).GetDatabase().SortedSetLengthAsync(quota.RedisKey + ":inflight");

    [RedisFact]
    public async Task Reserve_ClientPausedLongerThanTheTimeout_LeavesNoLeaseAndNoChargeAfterRecovery()
    {
        await using var server = await RedisServer.StartAsync();
        await using var harness = new RedisQuotaHarness(server);
        var quota = await harness.CreateAsync(new QuotaLimits { RequestsPerDay = 100, MaxConcurrency = 5 }, o =>
        {
            o.OperationTimeout = TimeSpan.FromMilliseconds(200);
            o.FailurePolicy = RedisFailurePolicy.FailClosed;
        });
        Assert.True(quota.TryReserve(One, out var held, out _));

        await server.ExecuteAsync("CLIENT", "PAUSE", "1500", "WRITE"); // scripts wait; the server runs them when the pause ends
        Assert.False(quota.TryReserve(One, out _, out _)); // timed out: it runs on the server later, and grants
        Assert.True(quota.IsDegraded);
        held.Dispose(); // its lease release is held back while Redis is unreachable, not dropped

        await UntilAnsweringAsync(harness, quota);
        Assert.Equal(0, await LeasesAsync(harness, quota)); // neither the late grant's lease nor the held one's
        Assert.True(await quota.RefreshAsync());
        Assert.Equal(99, quota.Available(QuotaDimension.RequestsPerDay)); // only the disposed request stays charged
        Assert.Equal(RedisQuotaFailureKind.Timeout, quota.LastFailure?.Kind);
    }

    [RedisFact]
    public async Task TryReserve_ServerBlockedByDebugSleep_ReturnsWithinTheOperationTimeout_AndLeavesNoGhostCharge()
    {
        await using var server = await RedisServer.StartAsync();
        await using var harness = new RedisQuotaHarness(server);
        var quota = await harness.CreateAsync(new QuotaLimits { RequestsPerDay = 10 }, o =>
        {
            o.OperationTimeout = TimeSpan.FromMilliseconds(200);
            o.FailurePolicy = RedisFailurePolicy.FailClosed;
        });
        Assert.True(await quota.RefreshAsync());
        var sleeper = server.ExecuteAsync("DEBUG", "SLEEP", "1.5");
        var probe = (await harness.ConnectAsync()).GetDatabase();
        var stuckBy = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        while (await Task.WhenAny(probe.PingAsync(), Task.Delay(300)) is Task<TimeSpan>)
        {
            Assert.True(DateTime.UtcNow < stuckBy, "The server never went to sleep.");
        }

        var clock = Stopwatch.StartNew();
        Assert.False(quota.TryReserve(One, out _, out _));
        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"TryReserve blocked {clock.Elapsed.TotalMilliseconds:0} ms with a 200 ms timeout, while the server slept 1.5 s");

        await sleeper;
        await UntilAnsweringAsync(harness, quota);
        Assert.True(await quota.RefreshAsync());
        Assert.Equal(10, quota.Available(QuotaDimension.RequestsPerDay)); // the reservation that ran late was given back
    }

    [RedisFact]
    public async Task Reserve_UserWithoutScriptPermission_IsReportedAsRejected_LoggedCounted_AndDegrades()
    {
        await using var server = await RedisServer.StartAsync();
        await server.ExecuteAsync("ACL", "SETUSER", "limited", "on", ">pw", "~*", "+@all", "-eval", "-evalsha", "-script");
        await using var harness = new RedisQuotaHarness(server);
        var failures = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "fastbucket.redis.failures")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            lock (failures)
            {
                failures.Add(string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}")));
            }
        });
        listener.Start();
        var log = new ListLogger();
        var connection = await server.ConnectAsync(user: "limited");
        var quota = new RedisQuota(connection, RedisQuotaHarness.Key, new QuotaLimits { RequestsPerMinute = 8 }, harness.Options(o =>
        {
            o.FailurePolicy = RedisFailurePolicy.DegradeToLocal;
            o.ExpectedInstances = 2;
            o.Logger = log;
        }));

        Assert.True(quota.TryReserve(One, out _, out _)); // served by the local fallback: 4 of 8
        Assert.True(quota.IsDegraded);
        Assert.Equal(RedisQuotaFailureKind.Rejected, quota.LastFailure?.Kind);
        Assert.Equal("NOPERM", quota.LastFailure?.Code);
        Assert.Contains(log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains("NOPERM", StringComparison.Ordinal));
        listener.RecordObservableInstruments();
        lock (failures)
        {
            Assert.Contains(failures, f => f.Contains("kind=Rejected", StringComparison.Ordinal) && f.Contains("code=NOPERM", StringComparison.Ordinal));
        }

        quota.Dispose();
        await connection.DisposeAsync();
    }

    [RedisFact]
    public async Task Observe_ExhaustedWithoutReset_DoesNotRenewTheKeysExpiry_AndResetClearsItForEveryProcess()
    {
        await using var server = await RedisServer.StartAsync();
        await using var harness = new RedisQuotaHarness(server);
        var a = await harness.CreateAsync(new QuotaLimits { RequestsPerMinute = 100 });
        var b = await harness.CreateAsync(new QuotaLimits { RequestsPerMinute = 100 });
        a.Observe(new RateLimitSignals { StatusCode = 429, ErrorClass = RateLimitErrorClass.QuotaExhausted, Retryable = false, ErrorCode = "insufficient_quota" });
        await a.FlushAsync();
        var db = (await harness.ConnectAsync()).GetDatabase();
        var first = await db.KeyTimeToLiveAsync(a.RedisKey);

        harness.Time!.Advance(TimeSpan.FromHours(1));
        var ex = Assert.Throws<QuotaExhaustedException>(() => b.TryReserve(One, out _, out _));
        Assert.Equal(harness.Time.GetUtcNow() + TimeSpan.FromHours(23), ex.ResetsAt); // no reset given: a day at most, not forever
        var later = await db.KeyTimeToLiveAsync(a.RedisKey);
        Assert.True(later <= first, $"the expiry was renewed: {first} then {later}");

        Assert.True(await a.ResetExhaustionAsync());
        Assert.True(b.TryReserve(One, out _, out _));
    }

    [RedisFact]
    public async Task Reserve_ProcessWithFewerDimensions_NeverShortensTheKeysExpiry()
    {
        await using var server = await RedisServer.StartAsync();
        await using var harness = new RedisQuotaHarness(server);
        var daily = await harness.CreateAsync(new QuotaLimits { RequestsPerMinute = 60, RequestsPerDay = 100 });
        var minuteOnly = await harness.CreateAsync(new QuotaLimits { RequestsPerMinute = 60 });
        Assert.True(daily.TryReserve(One, out _, out _)); // one request per day refills in 864 s
        Assert.True(minuteOnly.TryReserve(One, out _, out _)); // its own dimensions would expire in about a minute
        var ttl = await (await harness.ConnectAsync()).GetDatabase().KeyTimeToLiveAsync(daily.RedisKey);
        Assert.NotNull(ttl);
        Assert.True(ttl > TimeSpan.FromSeconds(864), $"the daily state expires in {ttl}");
        Assert.True(await daily.RefreshAsync());
        Assert.Equal(99, daily.Available(QuotaDimension.RequestsPerDay));
    }

    [RedisFact]
    public async Task Keys_PartsThatCollidedBefore_AreDifferentQuotas()
    {
        await using var server = await RedisServer.StartAsync();
        await using var harness = new RedisQuotaHarness(server);
        var options = harness.Options();
        var connection = await harness.ConnectAsync();
        var keys = new[]
        {
            new QuotaKey(LlmProvider.OpenAI, "c", "a:b"), new QuotaKey(LlmProvider.OpenAI, "b:c", "a"),
            new QuotaKey(LlmProvider.OpenAI, "m"), new QuotaKey(LlmProvider.OpenAI, "m", "_"),
            new QuotaKey(LlmProvider.OpenAI, "x{1}"), new QuotaKey(LlmProvider.OpenAI, "x(1)"),
        };
        var quotas = keys.Select(k => new RedisQuota(connection, k, new QuotaLimits { RequestsPerMinute = 1 }, options)).ToList();
        Assert.Equal(quotas.Count, quotas.Select(q => q.RedisKey).Distinct().Count());
        Assert.All(quotas, q => Assert.True(q.TryReserve(One, out _, out _))); // each has its own single request
        quotas.ForEach(q => q.Dispose());
    }

    [RedisFact]
    public async Task Reserve_AfterAGrantToSendDelayWasObserved_HoldsThatMuchOfTheBurstBack()
    {
        await using var server = await RedisServer.StartAsync();
        await using var harness = new RedisQuotaHarness(server);
        var quota = await harness.CreateAsync(new QuotaLimits { RequestsPerMinute = 60 }); // one per second, a burst of 60
        Assert.True(quota.TryReserve(One, out var first, out _));
        harness.Time!.Advance(TimeSpan.FromSeconds(3)); // the request left 3 s after its grant (a stalled process); the bucket is full again
        quota.Observe(new RateLimitSignals { StatusCode = 200 }, first, sinceSent: TimeSpan.Zero);
        first.Complete(default);
        Assert.Equal(TimeSpan.FromSeconds(3), quota.LatencyMargin);

        int granted = 0;
        while (quota.TryReserve(One, out _, out _))
        {
            granted++;
        }

        // Three requests' worth (rate × margin) are held back from the burst; the sustained rate is unchanged.
        Assert.Equal(57, granted);
    }
}
