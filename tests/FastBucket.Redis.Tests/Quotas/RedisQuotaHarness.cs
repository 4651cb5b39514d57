using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace FastBucket.Redis.Tests.Quotas;

/// <summary>Quotas on a test's own key prefix, each on its own connection (as separate processes would be), driven by one fake clock.</summary>
internal sealed class RedisQuotaHarness : IAsyncDisposable
{
    internal static readonly QuotaKey Key = new(LlmProvider.OpenAI, "gpt-4o-mini");

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly RedisServer _server;

    internal RedisQuotaHarness(RedisServer server, bool fakeClock = true)
        : this(server, fakeClock ? new FakeTimeProvider(DateTimeOffset.UtcNow) : null)
    {
    }

    internal RedisQuotaHarness(RedisServer server, FakeTimeProvider? time)
    {
        _server = server;
        Time = time;
    }

    internal FakeTimeProvider? Time { get; }

    internal string Prefix { get; } = "t" + Guid.NewGuid().ToString("N")[..10];

    internal async Task<RedisQuota> CreateAsync(QuotaLimits limits, Action<RedisQuotaOptions>? configure = null, double burstHeadroom = 0, QuotaKey? key = null)
    {
        var connection = await ConnectAsync();
        var quota = new RedisQuota(connection, key ?? Key, limits, Options(configure), burstHeadroom);
        _owned.Add(quota);
        return quota;
    }

    internal async Task<RedisQuota> CreateDiscoveringAsync(QuotaKey key, int? maxConcurrency, Action<RedisQuotaOptions>? configure = null)
    {
        var connection = await ConnectAsync();
        var quota = RedisQuota.CreateDiscovering(connection, key, maxConcurrency, Options(configure));
        _owned.Add(quota);
        return quota;
    }

    internal RedisQuotaOptions Options(Action<RedisQuotaOptions>? configure = null)
    {
        var options = new RedisQuotaOptions { KeyPrefix = Prefix, TimeProvider = Time, UseClientClock = Time is not null, OperationTimeout = TimeSpan.FromSeconds(5) };
        configure?.Invoke(options);
        return options;
    }

    internal async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var connection = await _server.ConnectAsync();
        _owned.Add(connection);
        return connection;
    }

    /// <summary>Waits (real time, bounded) until the quota's wait loop sleeps on the fake clock, so that advancing it is seen.</summary>
    internal static async Task UntilSleepingAsync(RedisQuota quota)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!quota.IsPumpSleeping)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The quota's wait loop never went to sleep: {quota}, degraded {quota.IsDegraded}.");
            await Task.Delay(1);
        }
    }

    /// <summary>Waits (real time, bounded) until nothing is under way in the quota: no attempt, no write, waiters asleep on the fake clock.</summary>
    internal static async Task UntilSettledAsync(RedisQuota quota)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!quota.IsSettled)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The quota never settled: {quota}, degraded {quota.IsDegraded}.");
            await Task.Delay(1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }
}
