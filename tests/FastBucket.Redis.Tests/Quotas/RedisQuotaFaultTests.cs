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
        while (!await quota.RefreshAsync() || !quota.OwesNothing)
        {
            // Until Redis answers, every late answer has come, and what they and the outage left owed has been paid.
            Assert.True(DateTime.UtcNow < deadline, $"Redis never answered again, or what was owed was never paid: {quota}.");
            harness.Time!.Advance(TimeSpan.FromSeconds(6));
            await quota.FlushAsync();
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Until the quota's first call has connected and loaded the script: on a loaded machine that alone can take longer
    /// than the short operation timeouts these tests set, and it is not what they time.
    /// </summary>
    private static async Task WarmUpAsync(RedisQuota quota)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await quota.RefreshAsync())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Redis never answered within its operation timeout: {quota}.");
            await Task.Delay(10);
        }
    }

    private static async Task<long> LeasesAsync(RedisQuotaHarness harness, RedisQuota quota) =>
        await (await harness.ConnectAsync()).GetDatabase().SortedSetLengthAsync(quota.RedisKey + ":inflight");

    [RedisFact]
    public async Task Reserve_ClientPausedLongerThanTheTimeout_LeavesNoLeaseAndNoChargeAfterRecovery()
    {
        await using var server = await RedisServer.StartAsync();
        await using var harness = new RedisQuotaHarness(server);
        // A timeout of 500 ms against a pause of 1.5 s (within the connection's own timeout, so the late answer is
        // delivered): a loaded machine once took over 200 ms for the first grant, before the script was loaded.
        var quota = await harness.CreateAsync(new QuotaLimits { RequestsPerDay = 100, MaxConcurrency = 5 }, o =>
        {
            o.OperationTimeout = TimeSpan.FromMilliseconds(500);
            o.FailurePolicy = RedisFailurePolicy.FailClosed;
        });
        await WarmUpAsync(quota); // connected and the script loaded before anything is timed
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
        // The connection waits longer than the server sleeps, so the late answer is delivered (past the multiplexer's
        // own timeout a late grant's fate is unknown: its charge stands, the safe side, and its lease is freed anyway).
        var patient = await server.ConnectAsync(timeoutMilliseconds: 60_000);
        using var quota = new RedisQuota(patient, RedisQuotaHarness.Key, new QuotaLimits { RequestsPerDay = 10 }, harness.Options(o =>
        {
            o.OperationTimeout = TimeSpan.FromMilliseconds(200);
            o.FailurePolicy = RedisFailurePolicy.FailClosed;
        }));
        await WarmUpAsync(quota);
        await using var admin = await server.ConnectAsync(admin: true, timeoutMilliseconds: 60_000);
        var probe = (await harness.ConnectAsync()).GetDatabase();
        var sleeper = admin.GetDatabase().ExecuteAsync("DEBUG", "SLEEP", "5");
        while (await Task.WhenAny(probe.PingAsync(), Task.Delay(300)) is Task<TimeSpan>)
        {
            Assert.False(sleeper.IsCompleted, "The server slept and woke before the test saw it asleep.");
        }

        Assert.False(quota.TryReserve(One, out _, out _));
        Assert.False(sleeper.IsCompleted, "TryReserve waited for the server to wake: it ignored the 200 ms operation timeout");
        Assert.Equal(RedisQuotaFailureKind.Timeout, quota.LastFailure?.Kind);

        await sleeper;
        await UntilAnsweringAsync(harness, quota);
        Assert.True(await quota.RefreshAsync());
        Assert.Equal(10, quota.Available(QuotaDimension.RequestsPerDay)); // the reservation that ran late was given back
        await patient.DisposeAsync();
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
    public async Task Reserve_AfterAGrantToSendDelayWasObservedByOneProcess_EveryProcessHoldsThatMuchOfTheBurstBack()
    {
        await using var server = await RedisServer.StartAsync();
        await using var harness = new RedisQuotaHarness(server);
        var limits = new QuotaLimits { RequestsPerMinute = 60 }; // one per second, a burst of 60
        var slow = await harness.CreateAsync(limits);
        var other = await harness.CreateAsync(limits);
        Assert.True(slow.TryReserve(One, out var first, out _));
        harness.Time!.Advance(TimeSpan.FromSeconds(3)); // the request left 3 s after its grant (a stalled process); the bucket is full again
        slow.Observe(new RateLimitSignals { StatusCode = 200 }, first, sinceSent: TimeSpan.Zero);
        first.Complete(default);
        Assert.Equal(TimeSpan.FromSeconds(3), slow.LatencyMargin);

        int granted = slow.TryReserve(One, out _, out _) ? 1 : 0; // carries the margin to Redis
        Assert.Equal(TimeSpan.Zero, other.LatencyMargin); // the other process saw no delay itself
        while (other.TryReserve(One, out _, out _))
        {
            granted++;
        }

        // Three requests' worth (rate × margin) are held back from the shared burst, for every process; the sustained
        // rate is unchanged.
        Assert.Equal(57, granted);
    }
}
