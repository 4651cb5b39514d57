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
    /// <summary>
    /// A provider's own count, as it admits each arrival: fixed windows of a minute from an edge anywhere in the
    /// minute (Azure's tokens), or a sliding log of the last minute of arrivals.
    /// </summary>
    private sealed class ProviderCount(long limit, TimeSpan edge, bool sliding)
    {
        private readonly List<(DateTimeOffset At, long Amount)> _admitted = [];

        public long Counted(DateTimeOffset now)
        {
            if (sliding)
            {
                return _admitted.Where(a => a.At > now - Window).Sum(a => a.Amount);
            }

            long windowOf(DateTimeOffset t) => (long)Math.Floor((t - DateTimeOffset.UnixEpoch - edge) / Window);
            return _admitted.Where(a => windowOf(a.At) == windowOf(now)).Sum(a => a.Amount);
        }

        /// <summary>Counts an arrival; the remaining it reports (negative: it would have refused it).</summary>
        public long Admit(DateTimeOffset now, long amount)
        {
            _admitted.Add((now, amount));
            return limit - Counted(now);
        }
    }

    [Property(MaxTest = 300)]
    public void Forget_OnEveryRemainingAProviderReports_TheProviderNeverCountsMoreThanItsLimit(PositiveInt seed, bool sliding)
    {
        // Requests arrive up to 200 ms after their take (within the 250 ms expiry margin) and are answered up to
        // 300 ms later, in any order; each answer reports the remaining the provider computed at its arrival, and the
        // log forgets on it with what was in flight at the take. Whatever the provider's edge, it never counts more
        // than its limit: the log forgets only what the provider let go of.
        long limit = 10 + seed.Get % 300;
        var time = new FakeTimeProvider();
        var provider = new ProviderCount(limit, TimeSpan.FromMilliseconds(seed.Get % 60_000), sliding);
        var log = new SlidingWindowLog(limit, WindowShape.Minute(TimeSpan.FromMinutes(1)), time);
        var events = new PriorityQueue<(bool Arrival, long Ticket, long Amount, long UnseenBefore, long Remaining), (DateTimeOffset, long)>();
        long inFlight = 0;
        long order = 0;
        var random = new Random(seed.Get);
        void RunUntil(DateTimeOffset until)
        {
            while (events.TryPeek(out var e, out var at) && at.Item1 <= until)
            {
                events.Dequeue();
                if (at.Item1 > time.GetUtcNow())
                {
                    time.Advance(at.Item1 - time.GetUtcNow());
                }

                if (e.Arrival)
                {
                    long remaining = provider.Admit(time.GetUtcNow(), e.Amount);
                    Assert.True(remaining >= 0, $"the provider counted {limit - remaining} against its limit of {limit}");
                    events.Enqueue(e with { Arrival = false, Remaining = remaining }, (time.GetUtcNow() + TimeSpan.FromMilliseconds(random.Next(0, 300)), order++));
                }
                else
                {
                    log.Forget(e.Ticket, e.Remaining, e.UnseenBefore);
                    inFlight -= e.Amount;
                }
            }

            if (until > time.GetUtcNow())
            {
                time.Advance(until - time.GetUtcNow());
            }
        }

        // A dense script of its own (the seed's): long runs of takes a few milliseconds apart are what let answers
        // overtake sends still in flight.
        for (int step = 0; step < 400; step++)
        {
            int op = random.Next(100);
            if (op < 70)
            {
                long amount = random.NextInt64(1, Math.Max(2, (limit / 4) + 1));
                if (log.TryTake(amount, out long ticket))
                {
                    events.Enqueue((true, ticket, amount, inFlight, 0), (time.GetUtcNow() + TimeSpan.FromMilliseconds(random.Next(0, 200)), order++));
                    inFlight += amount;
                }
            }
            else
            {
                // Mostly moments, sometimes seconds (across the provider's edges).
                RunUntil(time.GetUtcNow() + TimeSpan.FromMilliseconds(op < 95 ? random.Next(0, 300) : random.Next(0, 20_000)));
            }
        }

        RunUntil(time.GetUtcNow() + TimeSpan.FromMinutes(2));
    }
}
