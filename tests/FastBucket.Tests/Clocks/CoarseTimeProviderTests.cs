using System.Diagnostics;
using FastBucket.Tests.Buckets;
using FsCheck;
using FsCheck.Xunit;

namespace FastBucket.Tests.Clocks;

public sealed class CoarseTimeProviderTests
{
    [Fact]
    public void GetTimestamp_IsTickCountInMilliseconds()
    {
        long before = Environment.TickCount64;
        long read = CoarseTimeProvider.Instance.GetTimestamp();
        long after = Environment.TickCount64;
        Assert.Equal(1_000, CoarseTimeProvider.Instance.TimestampFrequency);
        Assert.InRange(read, before, after);
    }

    /// <summary>
    /// On a clock of whole milliseconds, a bucket full at the start grants, by any moment t, at most
    /// capacity + rate × t: the law is exact on the clock it is given, whatever its resolution.
    /// </summary>
    [Property(MaxTest = 300)]
    public void WindowLaw_MillisecondClock_GrantedNeverExceedsCapacityPlusRefill(int[] script, PositiveInt capSeed, PositiveInt tokensSeed, PositiveInt periodSeed)
    {
        var clock = new MillisecondClock();
        long capacity = capSeed.Get % 1_000 + 1;
        long perPeriod = tokensSeed.Get % 100_000 + 1;
        long periodMs = periodSeed.Get % 60_000 + 1;
        using var bucket = new TokenBucket(new TokenBucketOptions
        {
            Capacity = capacity,
            TokensPerPeriod = perPeriod,
            RefillPeriod = TimeSpan.FromMilliseconds(periodMs),
            TimeProvider = clock,
        });
        long elapsedMs = 0, granted = 0;
        foreach (int op in script ?? [])
        {
            if ((op & 1) == 0)
            {
                long n = (op >> 1 & 0xFFFF) % capacity + 1;
                if (bucket.TryAcquire(n))
                {
                    granted += n;
                }
            }
            else
            {
                long ms = (op >> 1 & 0xFF) % 50;
                clock.Advance(ms);
                elapsedMs += ms;
            }

            // granted ≤ capacity + perPeriod × elapsed / period, in exact integers.
            Assert.True(
                new Fraction(granted, 1).CompareTo(new Fraction(capacity * periodMs + perPeriod * elapsedMs, periodMs)) <= 0,
                $"granted {granted} after {elapsedMs} ms (capacity {capacity}, {perPeriod} per {periodMs} ms)");
        }
    }

    /// <summary>On a clock of whole milliseconds, once the wait a refusal reported has passed, the tokens are there.</summary>
    [Property(MaxTest = 200)]
    public void TryAcquire_MillisecondClock_SucceedsOnceTheReportedWaitHasPassed(PositiveInt capSeed, PositiveInt tokensSeed, PositiveInt periodSeed, PositiveInt want)
    {
        var clock = new MillisecondClock();
        long capacity = capSeed.Get % 1_000 + 1;
        using var bucket = new TokenBucket(new TokenBucketOptions
        {
            Capacity = capacity,
            TokensPerPeriod = tokensSeed.Get % 100_000 + 1,
            RefillPeriod = TimeSpan.FromMilliseconds(periodSeed.Get % 60_000 + 1),
            TimeProvider = clock,
            InitialTokens = 0,
        });
        long n = want.Get % capacity + 1;

        Assert.False(bucket.TryAcquire(n, out var retryAfter));
        clock.Advance((long)Math.Ceiling(retryAfter.TotalMilliseconds));

        Assert.True(bucket.TryAcquire(n));
    }

    [Fact]
    public async Task TryAcquire_RealCoarseClockUnderContention_AnyRealWindowWithinCapacityPlusRateTimesWindowPlusOneTick()
    {
        const long capacity = 50, rate = 2_000;
        using var bucket = new TokenBucket(capacity, rate, CoarseTimeProvider.Instance);
        var grants = new List<long>[2];

        // The run ends on a count of grants, not on a deadline set before the workers are scheduled: on a
        // loaded machine the pool may start them late, and a half-second deadline then left one run with
        // only the burst granted. The hard stop only keeps a starved machine from hanging the suite.
        const long target = capacity + 1_000;
        long granted = 0;
        var hardStop = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 120);
        long tick = 0;

        var workers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            var mine = grants[w] = new List<long>(1 << 16);
            while (Volatile.Read(ref granted) < target && Stopwatch.GetTimestamp() < hardStop)
            {
                if (bucket.TryAcquire())
                {
                    mine.Add(Stopwatch.GetTimestamp());
                    Interlocked.Increment(ref granted);
                }
            }
        })).ToArray();
        long last = Environment.TickCount64;
        while (!Task.WhenAll(workers).IsCompleted)
        {
            long now = Environment.TickCount64;
            tick = Math.Max(tick, now - last);
            last = now;
            await Task.Yield();
        }

        await Task.WhenAll(workers);
        var all = grants.SelectMany(g => g).Order().ToArray();
        Assert.True(all.Length > capacity, "the bucket granted no more than its burst: the test would prove nothing");
        // Generous: one observed tick of the coarse clock (at least 16 ms) plus 2 ms for the two clocks' offsets.
        double slackSeconds = (Math.Max(tick, 16) + 2) / 1000.0;
        for (int i = 0, j = 0; i < all.Length; i++)
        {
            while ((all[i] - all[j]) / (double)Stopwatch.Frequency > 0.05)
            {
                j++;
            }

            double window = (all[i] - all[j]) / (double)Stopwatch.Frequency;
            long count = i - j + 1;
            Assert.True(count <= capacity + (rate * (window + slackSeconds)) + 1, $"{count} grants in {window * 1000:0.0} ms");
        }
    }
}
