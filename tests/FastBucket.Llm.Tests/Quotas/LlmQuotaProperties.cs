using FastBucket.Providers;
using FastBucket.Quotas;
using FsCheck;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas;

/// <summary>Laws of the multi-dimension quota under random reserve / complete / cancel / dispose scripts.</summary>
public sealed class LlmQuotaProperties
{
    private static readonly QuotaDimension[] Dimensions =
    [
        QuotaDimension.RequestsPerMinute, QuotaDimension.TokensPerMinute, QuotaDimension.InputTokensPerMinute,
        QuotaDimension.OutputTokensPerMinute, QuotaDimension.RequestsPerDay, QuotaDimension.TokensPerDay,
    ];

    private static LlmQuota Create(FakeTimeProvider time, int seed) => new(
        new QuotaKey(LlmProvider.Anthropic, "claude-sonnet-4-5"),
        new QuotaLimits
        {
            RequestsPerMinute = 5 + seed % 20,
            TokensPerMinute = 2_000 + seed % 3_000,
            InputTokensPerMinute = 1_500 + seed % 1_000,
            OutputTokensPerMinute = 500 + seed % 700,
            RequestsPerDay = 50 + seed % 100,
            TokensPerDay = 20_000 + seed % 10_000,
            MaxConcurrency = 3 + seed % 5,
        },
        time);

    private static RequestCost CostFrom(int a) => new(1, Math.Abs(a % 997), Math.Abs(a / 7 % 401));

    private static TokenUsage UsageFrom(int a, RequestCost cost) =>
        new(Math.Max(0, cost.InputTokens + a % 50), Math.Abs(a / 3 % (int)(cost.OutputTokens + 60)));

    private static Dictionary<QuotaDimension, long> Levels(LlmQuota quota) =>
        Dimensions.ToDictionary(d => d, d => quota.Available(d) ?? 0);

    [Property(MaxTest = 200)]
    public void TryReserve_Refused_LeavesEveryDimensionUnchanged(PositiveInt seed, int[] script)
    {
        var time = new FakeTimeProvider();
        using var quota = Create(time, seed.Get);
        foreach (int op in script ?? [])
        {
            var before = Levels(quota);
            var cost = CostFrom(op);
            if (!quota.TryReserve(cost, out _, out _))
            {
                Assert.Equal(before, Levels(quota));
            }
        }
    }

    [Property(MaxTest = 200)]
    public void Reconciliation_ConservesTokens_LevelEqualsCapacityMinusFinalCharges(PositiveInt seed, int[] script)
    {
        var time = new FakeTimeProvider();
        using var quota = Create(time, seed.Get);
        var capacity = Levels(quota);
        var charged = Dimensions.ToDictionary(d => d, _ => 0L);
        var open = new List<QuotaReservation>();
        foreach (int op in script ?? [])
        {
            switch (op & 3)
            {
                case 0 or 1:
                    if (quota.TryReserve(CostFrom(op >> 2), out var reservation, out _))
                    {
                        open.Add(reservation);
                    }

                    break;
                case 2 when open.Count > 0:
                    var r = open[Math.Abs(op % open.Count)];
                    open.Remove(r);
                    var usage = UsageFrom(op >> 2, r.Cost);
                    r.Complete(usage);
                    Charge(charged, new RequestCost(1, usage.InputTokens, usage.OutputTokens));
                    break;
                case 3 when open.Count > 0:
                    var s = open[Math.Abs(op % open.Count)];
                    open.Remove(s);
                    if ((op & 4) == 0)
                    {
                        s.Cancel();
                    }
                    else
                    {
                        s.Dispose();
                        Charge(charged, s.Cost);
                    }

                    break;
            }
        }

        foreach (var r in open)
        {
            r.Dispose();
            Charge(charged, r.Cost);
        }

        foreach (var d in Dimensions)
        {
            Assert.Equal(capacity[d] - charged[d], quota.Available(d));
        }

        Assert.Equal(0, quota.InFlight);
    }

    [Property(MaxTest = 150)]
    public void EveryDimension_ObeysItsWindowLaw_UnderRandomReserveCompleteCancelDispose(PositiveInt seed, int[] script)
    {
        var time = new FakeTimeProvider();
        using var quota = Create(time, seed.Get);
        var rates = Dimensions.ToDictionary(d => d, d => (double)QuotaDimensions.LimitOf(quota.Limits, d)!.Value / (d is QuotaDimension.RequestsPerDay or QuotaDimension.TokensPerDay ? 86_400 : 60));
        var net = Dimensions.ToDictionary(d => d, _ => 0L);
        var checkpoints = new List<(double Seconds, Dictionary<QuotaDimension, long> Level, Dictionary<QuotaDimension, long> Net)>();
        var open = new List<QuotaReservation>();
        double seconds = 0;
        checkpoints.Add((0, Levels(quota), new(net)));
        foreach (int op in script ?? [])
        {
            switch (op & 3)
            {
                case 0:
                    if (quota.TryReserve(CostFrom(op >> 2), out var reservation, out _))
                    {
                        open.Add(reservation);
                        Take(net, reservation.Cost, +1);
                    }

                    break;
                case 1:
                    double step = Math.Abs(op % 5_000) / 100.0;
                    time.Advance(TimeSpan.FromSeconds(step));
                    seconds += step;
                    break;
                case 2 when open.Count > 0:
                    var r = open[Math.Abs(op % open.Count)];
                    open.Remove(r);
                    var usage = UsageFrom(op >> 2, r.Cost);
                    r.Complete(usage);
                    // Refunds of unused reservation count against "granted"; overruns are debt, not grants.
                    Take(net, new RequestCost(0, Math.Min(0, usage.InputTokens - r.Cost.InputTokens), Math.Min(0, usage.OutputTokens - r.Cost.OutputTokens)), +1, totalDelta: Math.Min(0, usage.TotalTokens - r.Cost.TotalTokens));
                    break;
                case 3 when open.Count > 0:
                    var s = open[Math.Abs(op % open.Count)];
                    open.Remove(s);
                    s.Cancel();
                    Take(net, s.Cost, -1);
                    break;
            }

            checkpoints.Add((seconds, Levels(quota), new(net)));
        }

        for (int i = 0; i < checkpoints.Count; i++)
        {
            for (int j = i + 1; j < checkpoints.Count; j++)
            {
                foreach (var d in Dimensions)
                {
                    long taken = checkpoints[j].Net[d] - checkpoints[i].Net[d];
                    double allowed = Math.Max(0, checkpoints[i].Level[d]) + 1 + rates[d] * (checkpoints[j].Seconds - checkpoints[i].Seconds);
                    Assert.True(taken <= allowed + 1e-6, $"{d}: {taken} taken over steps {i}..{j}, law allows {allowed}");
                }
            }
        }
    }

    [Fact]
    public async Task ReserveAsync_ManyThreadsAcrossDimensions_NoDimensionOverdrawnAndAllComplete()
    {
        using var quota = new LlmQuota(new QuotaKey(LlmProvider.OpenAI, "gpt-4o"), new QuotaLimits
        {
            RequestsPerMinute = 600_000, TokensPerMinute = 6_000_000, OutputTokensPerMinute = 3_000_000, MaxConcurrency = 8,
        });
        long granted = 0;
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (int i = 0; i < 2_000; i++)
            {
                var reservation = await quota.ReserveAsync(new RequestCost(1, random.Next(1, 500), random.Next(0, 200)));
                Assert.True(quota.InFlight <= 8);
                Interlocked.Increment(ref granted);
                if (random.Next(3) == 0)
                {
                    reservation.Cancel();
                }
                else
                {
                    reservation.Complete(new TokenUsage(reservation.Cost.InputTokens, reservation.Cost.OutputTokens / 2));
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(16_000, granted);
        Assert.Equal(0, quota.InFlight);
        Assert.True(quota.Available(QuotaDimension.TokensPerMinute) <= 6_000_000);
    }

    private static void Charge(Dictionary<QuotaDimension, long> charged, RequestCost cost)
    {
        foreach (var d in Dimensions)
        {
            charged[d] += QuotaDimensions.CostOf(cost, d);
        }
    }

    private static void Take(Dictionary<QuotaDimension, long> net, RequestCost cost, int sign, long? totalDelta = null)
    {
        foreach (var d in Dimensions)
        {
            long amount = d is QuotaDimension.TokensPerMinute or QuotaDimension.TokensPerDay && totalDelta is { } t ? t : QuotaDimensions.CostOf(cost, d);
            net[d] += sign * amount;
        }
    }
}
