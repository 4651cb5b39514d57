using FastBucket.Quotas;
using FastBucket.Redis.Tests.Infrastructure;
using StackExchange.Redis;

namespace FastBucket.Redis.Tests.Quotas;

/// <summary>Four clients (four connections, as four processes) hammer one key on the server's own clock.</summary>
public sealed class RedisQuotaWindowLawTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{

    [RedisFact]
    public async Task Reserve_FourClientsOnOneKey_GrantsOverAWindowNeverExceedCapacityPlusRateTimesWindow()
    {
        await using var harness = new RedisQuotaHarness(redis.Server, fakeClock: false);
        // 30 requests and 3,000 tokens per second; the burst is a minute's worth, so the first 1,800 requests go at once
        // and the next ones only as fast as the refill: over 3 s the bound is 1,890 requests.
        var limits = new QuotaLimits { RequestsPerMinute = 1_800, TokensPerMinute = 180_000 };
        var quotas = new RedisQuota[4];
        for (int i = 0; i < quotas.Length; i++)
        {
            quotas[i] = await harness.CreateAsync(limits, o => o.OperationTimeout = TimeSpan.FromSeconds(5));
        }

        var admin = (await harness.ConnectAsync()).GetDatabase();
        double start = await ServerSecondsAsync(admin);
        // Until the burst is spent and some refill granted (not for a fixed time: a loaded machine may need longer
        // than 3 s for 1,800 round trips), with a generous deadline.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        long granted = 0;
        long tokens = 0;
        var workers = new List<Task>();
        void Count(RequestCost cost, QuotaReservation reservation)
        {
            if (Interlocked.Increment(ref granted) >= 1_850)
            {
                stop.Cancel();
            }

            Interlocked.Add(ref tokens, cost.TotalTokens);
            reservation.Dispose(); // keeps the whole charge: the count is of what was charged
        }


        for (int i = 0; i < quotas.Length; i++)
        {
            var quota = quotas[i];
            bool useTry = i % 2 == 0;
            for (int caller = 0; caller < 4; caller++)
            {
                int seed = i * 10 + caller;
                if (useTry)
                {
                    // TryReserve blocks for its round trip: these callers get threads of their own, not the pool's.
                    workers.Add(Task.Factory.StartNew(() =>
                    {
                        var random = new Random(seed);
                        while (!stop.IsCancellationRequested)
                        {
                            var cost = new RequestCost(1, random.Next(10, 80), random.Next(0, 40));
                            if (!quota.TryReserve(cost, out var reservation, out var retryAfter))
                            {
                                Thread.Sleep(retryAfter < TimeSpan.FromMilliseconds(5) ? retryAfter : TimeSpan.FromMilliseconds(5));
                                continue;
                            }

                            Count(cost, reservation);
                        }
                    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
                }
                else
                {
                    workers.Add(Task.Run(async () =>
                    {
                        var random = new Random(seed);
                        while (!stop.IsCancellationRequested)
                        {
                            var cost = new RequestCost(1, random.Next(10, 80), random.Next(0, 40));
                            try
                            {
                                Count(cost, await quota.ReserveAsync(cost, stop.Token));
                            }
                            catch (OperationCanceledException)
                            {
                                break;
                            }
                        }
                    }));
                }
            }
        }

        await Task.WhenAll(workers);
        double elapsed = await ServerSecondsAsync(admin) - start;
        Assert.DoesNotContain(quotas, q => q.IsDegraded);

        // The law, on the server's clock: burst (capacity) plus rate × elapsed, on every dimension.
        double requestBound = 1_800 + 1_800 / 60.0 * elapsed;
        double tokenBound = 180_000 + 180_000 / 60.0 * elapsed;
        Assert.True(granted <= requestBound + 1, $"{granted} requests granted in {elapsed:F3} s; the law allows {requestBound:F0}.");
        Assert.True(tokens <= tokenBound + 1, $"{tokens} tokens granted in {elapsed:F3} s; the law allows {tokenBound:F0}.");

        // And the limit was reached (the four clients did contend): the burst alone is 1,800 requests.
        Assert.True(granted >= 1_800, $"Only {granted} requests were granted in {elapsed:F3} s.");
    }

    private static async Task<double> ServerSecondsAsync(IDatabase db)
    {
        var time = (RedisResult[])(await db.ExecuteAsync("TIME"))!;
        return (long)time[0] + (long)time[1] / 1e6;
    }
}
