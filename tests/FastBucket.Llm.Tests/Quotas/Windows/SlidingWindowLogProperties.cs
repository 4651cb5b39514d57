using FastBucket.Quotas.Windows;
using FsCheck;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas.Windows;

/// <summary>Laws of the safe-shape window under random scripts of takes, reconciliations and waits.</summary>
public sealed class SlidingWindowLogProperties
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan BurstPeriod = TimeSpan.FromSeconds(10);

    private sealed record Charge(DateTimeOffset At, long Ticket, long Amount)
    {
        public long Amount { get; set; } = Amount;
    }

    [Property(MaxTest = 300)]
    public void TryTake_AnyScript_AtMostTheLimitInAnyWindowAndTheBurstLimitInAnyBurstPeriod(PositiveInt seed, int[] script)
    {
        long limit = 1 + seed.Get % 700;
        var time = new FakeTimeProvider();
        var log = new SlidingWindowLog(limit, WindowShape.PerMinute, time);
        long burstLimit = log.BurstLimit;
        var charges = new List<Charge>();
        foreach (int op in script ?? [])
        {
            switch (op & 3)
            {
                case 0 or 1:
                    long amount = 1 + Math.Abs((op >> 2) % (int)Math.Min(limit, 50));
                    if (log.TryTake(amount, out long ticket))
                    {
                        charges.Add(new Charge(time.GetUtcNow(), ticket, amount));
                    }

                    break;
                case 2 when charges.Count > 0:
                    // Reconcile: the real usage was smaller.
                    var charge = charges[Math.Abs((op >> 2) % charges.Count)];
                    long refund = Math.Abs((op >> 4) % (int)(charge.Amount + 1));
                    if (time.GetUtcNow() - charge.At < Window)
                    {
                        log.Adjust(charge.Ticket, -refund);
                        charge.Amount -= refund;
                    }

                    break;
                default:
                    time.Advance(TimeSpan.FromMilliseconds(Math.Abs((op >> 2) % 15_000)));
                    break;
            }
        }

        foreach (var start in charges.Select(c => c.At).Distinct())
        {
            Assert.InRange(charges.Where(c => c.At >= start && c.At < start + Window).Sum(c => c.Amount), 0, limit);
            var burst = charges.Where(c => c.At >= start && c.At < start + BurstPeriod).ToList();
            Assert.True(burst.Sum(c => c.Amount) <= burstLimit || burst.Count(c => c.Amount > 0) == 1, "more than the burst limit in a burst period");
        }
    }

    [Property(MaxTest = 300)]
    public void TryTake_RefillingBurst_AtMostTheLimitInAnyWindowAndTheBurstPlusTheRateInAnyInterval(PositiveInt seed, int[] script)
    {
        long limit = 60 + seed.Get % 60_000;
        var time = new FakeTimeProvider();
        var log = new SlidingWindowLog(limit, WindowShape.PerMinute with { BurstRefills = true }, time);
        long burstLimit = log.BurstLimit;
        var charges = new List<Charge>();
        foreach (int op in script ?? [])
        {
            if ((op & 1) == 0)
            {
                long amount = 1 + Math.Abs((op >> 1) % (int)Math.Min(limit, 2 * burstLimit));
                if (log.TryTake(amount, out long ticket))
                {
                    charges.Add(new Charge(time.GetUtcNow(), ticket, amount));
                }
            }
            else
            {
                time.Advance(TimeSpan.FromMilliseconds(Math.Abs((op >> 1) % 15_000)));
            }
        }

        long largest = charges.Count == 0 ? 0 : charges.Max(c => c.Amount);
        foreach (var start in charges.Select(c => c.At).Distinct())
        {
            Assert.InRange(charges.Where(c => c.At >= start && c.At < start + Window).Sum(c => c.Amount), 0, limit);
            foreach (var end in charges.Select(c => c.At).Distinct().Where(e => e >= start))
            {
                // A bucket of the burst limit refilled at the limit's rate; one charge larger than it may go into debt.
                double most = burstLimit + (limit * (end - start).TotalSeconds / Window.TotalSeconds) + Math.Max(0, largest - burstLimit);
                Assert.True(charges.Where(c => c.At >= start && c.At <= end).Sum(c => c.Amount) <= most + 1e-6, "more than the burst plus the rate in an interval");
            }
        }
    }

    [Property(MaxTest = 1000)]
    public void TimeUntil_RefillingBurst_IsTheExactEarliestInstant(PositiveInt seed, int[] script, PositiveInt ask) =>
        AssertTimeUntilIsExact(60 + seed.Get % 60_000, WindowShape.PerMinute with { BurstRefills = true }, script, ask);

    [Property(MaxTest = 300)]
    public void TimeUntil_AnyState_IsTheExactEarliestInstant(PositiveInt seed, int[] script, PositiveInt ask) =>
        AssertTimeUntilIsExact(1 + seed.Get % 300, WindowShape.PerMinute, script, ask);

    /// <summary>After a script of takes and waits, TimeUntil names the first tick at which the take succeeds.</summary>
    private static void AssertTimeUntilIsExact(long limit, WindowShape shape, int[]? script, PositiveInt ask)
    {
        var time = new FakeTimeProvider();
        var log = new SlidingWindowLog(limit, shape, time);
        foreach (int op in script ?? [])
        {
            if ((op & 1) == 0)
            {
                log.TryTake(1 + Math.Abs((op >> 1) % (int)limit), out _);
            }
            else
            {
                time.Advance(TimeSpan.FromMilliseconds(Math.Abs((op >> 1) % 20_000)));
            }
        }

        long amount = 1 + ask.Get % limit;
        var wait = log.TimeUntil(amount);
        if (wait > TimeSpan.Zero)
        {
            time.Advance(wait - TimeSpan.FromTicks(1));
            Assert.False(log.TryTake(amount, out _));
            time.Advance(TimeSpan.FromTicks(1));
        }

        Assert.True(log.TryTake(amount, out _));
    }
}
