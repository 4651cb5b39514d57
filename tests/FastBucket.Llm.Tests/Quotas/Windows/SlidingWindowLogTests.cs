using FastBucket.Quotas.Windows;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas.Windows;

public sealed class SlidingWindowLogTests
{
    private static readonly TimeSpan Margin = WindowShape.PerMinute.ExpiryMargin;
    private readonly FakeTimeProvider _time = new();

    private static int TakeAll(SlidingWindowLog log, long amount = 1)
    {
        int taken = 0;
        while (log.TryTake(amount, out _))
        {
            taken++;
        }

        return taken;
    }

    [Fact]
    public void TryTake_Fresh600Rpm_AdmitsASixthNotTheWholeMinute()
    {
        // Issue 14 item 5: a fresh 600 RPM bucket sent 594 at one instant, a 429 storm under 10 s windows.
        var log = new SlidingWindowLog(600, WindowShape.PerMinute, _time);
        Assert.Equal(100, TakeAll(log));
        Assert.Equal(TimeSpan.FromSeconds(10) + Margin, log.TimeUntil(1));
    }

    [Fact]
    public void TryTake_SaturatedForTenMinutes_SendsTheWholeLimitPerMinute()
    {
        // The burst rule caps the burst, not the throughput.
        var log = new SlidingWindowLog(600, WindowShape.PerMinute, _time);
        var start = _time.GetUtcNow();
        long admitted = 0;
        while (_time.GetUtcNow() - start < TimeSpan.FromMinutes(10))
        {
            admitted += TakeAll(log);
            _time.Advance(log.TimeUntil(1));
        }

        // 100 every 10.25 s: 98% of 6,000 (the margin is the rest).
        Assert.InRange(admitted, 5_800, 6_000);
    }

    [Fact]
    public void TryTake_GeminiFreeTenRpm_TwentyConcurrent_NeverMoreThanTenInAnyMinute()
    {
        // Issue 14 item 15: 20 concurrent calls at 10 RPM; a bucket of capacity 10 sent 20 in the first minute.
        var log = new SlidingWindowLog(10, WindowShape.PerMinute, _time);
        var sent = new List<DateTimeOffset>();
        int pending = 20;
        while (pending > 0)
        {
            while (pending > 0 && log.TryTake(1, out _))
            {
                sent.Add(_time.GetUtcNow());
                pending--;
            }

            _time.Advance(log.TimeUntil(1));
        }

        foreach (var t in sent)
        {
            Assert.InRange(sent.Count(s => s >= t && s < t + TimeSpan.FromMinutes(1)), 1, 10);
        }

        // Bursts of ceil(10 / 6) = 2 every 10 s (with the margin): ten in the first 41 s, the next ten from the
        // instant the first two leave the minute.
        Assert.Equal(2, sent.Count(s => s == sent[0]));
        Assert.Equal(TimeSpan.FromSeconds(41), sent[9] - sent[0]);
        Assert.Equal(TimeSpan.FromSeconds(60.25), sent[10] - sent[0]);
        Assert.Equal(TimeSpan.FromSeconds(60.25 + 41), sent[^1] - sent[0]);
    }

    [Fact]
    public void Restamp_ChargeAdmittedLate_CountsInTheWindowFromTheRestampNotInTheBurstPeriod()
    {
        var log = new SlidingWindowLog(12, WindowShape.PerMinute, _time); // burst 2 per 10 s
        Assert.True(log.TryTake(1, out _));
        Assert.True(log.TryTake(1, out long late));
        _time.Advance(TimeSpan.FromSeconds(1));

        log.Restamp(late);

        _time.Advance(TimeSpan.FromSeconds(9) + Margin);
        Assert.Equal(2, TakeAll(log)); // the burst period is the take's: over at 10 s
        _time.Advance(TimeSpan.FromSeconds(50)); // 60 s and the margin after the takes
        Assert.Equal(3, log.InWindow); // the first take left; the restamped one counts a second longer
        Assert.Equal(TimeSpan.FromSeconds(1), log.TimeUntil(10));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, log.InWindow);
    }

    [Fact]
    public void Restamp_OldestChargeAdmittedLate_HoldsBackTheChargesBehindIt()
    {
        // Charges leave in order: never early; a later one behind a restamped one leaves with it.
        var log = new SlidingWindowLog(12, WindowShape.PerMinute, _time);
        Assert.True(log.TryTake(1, out long first));
        _time.Advance(TimeSpan.FromSeconds(10) + Margin);
        Assert.True(log.TryTake(1, out _));
        _time.Advance(TimeSpan.FromSeconds(5));
        log.Restamp(first); // 15.25 s after it was taken, 5 s after the second

        _time.Advance(TimeSpan.FromSeconds(56));
        Assert.Equal(2, log.InWindow); // the second's own minute ended 0.75 s ago
        _time.Advance(TimeSpan.FromSeconds(4) + Margin);
        Assert.Equal(0, log.InWindow);
        Assert.Equal(TimeSpan.Zero, log.TimeUntil(12));
    }

    [Fact]
    public void TimeUntil_AfterATokenChargeLargerThanTheBurst_FullAgainTenMillisecondsAfterTheProvidersQuantum()
    {
        // OpenAI's quantum of 40,000 TPM holds 666.67 tokens and admits a larger charge only when full: 700 tokens
        // taken at full leave it full again 1.05 s later. Ours must be full a little after that, never at the same
        // instant (rounded up to 667 tokens, ours was full 1.7 tokens before the provider's: 4 429s in a run).
        var shape = WindowShape.Minute(TimeSpan.FromSeconds(1)) with { BurstRefills = true };
        var log = new SlidingWindowLog(40_000, shape, _time);
        Assert.True(log.TryTake(700, out _));

        var full = log.TimeUntil(700);

        Assert.InRange(full.TotalSeconds, 1.05 + 0.0099, 1.05 + 0.0101);
    }

    [Fact]
    public void TryTake_ChargeOverTheBurstLimit_IsAdmittedAloneInItsBurstPeriod()
    {
        var log = new SlidingWindowLog(30_000, WindowShape.PerMinute, _time); // burst 5,000
        Assert.True(log.TryTake(8_000, out _));
        Assert.False(log.TryTake(1, out _));
        Assert.Equal(TimeSpan.FromSeconds(10) + Margin, log.TimeUntil(1));
        _time.Advance(TimeSpan.FromSeconds(10) + Margin);
        Assert.True(log.TryTake(5_000, out _));
        Assert.False(log.TryTake(8_000, out _));
    }

    [Fact]
    public void TimeUntil_WindowFull_IsWhenTheOldestChargesExpireWithTheMargin()
    {
        var shape = new WindowShape(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), 1, TimeSpan.FromMilliseconds(100));
        var log = new SlidingWindowLog(10, shape, _time);
        Assert.True(log.TryTake(4, out _));
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(log.TryTake(6, out _));
        Assert.Equal(TimeSpan.FromSeconds(40.1), log.TimeUntil(3));
        Assert.Equal(TimeSpan.FromSeconds(40.1), log.TimeUntil(4));
        Assert.Equal(TimeSpan.FromSeconds(60.1), log.TimeUntil(5));
        _time.Advance(TimeSpan.FromSeconds(40.1) - TimeSpan.FromTicks(1));
        Assert.False(log.TryTake(1, out _));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.True(log.TryTake(4, out _));
    }

    [Fact]
    public void Adjust_RefundAtReconcile_FreesRoomAtOnce()
    {
        var shape = new WindowShape(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), 1, TimeSpan.Zero);
        var log = new SlidingWindowLog(1_000, shape, _time);
        Assert.True(log.TryTake(900, out long ticket));
        Assert.False(log.TryTake(200, out _));
        log.Adjust(ticket, -700);
        Assert.Equal(800, log.Available);
        Assert.True(log.TryTake(200, out _));
        log.Adjust(ticket, +100); // an overrun is charged as debt
        Assert.Equal(500, log.Available);
    }

    [Fact]
    public void Adjust_ExpiredCharge_ChangesNothing()
    {
        var shape = new WindowShape(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), 1, TimeSpan.Zero);
        var log = new SlidingWindowLog(1_000, shape, _time);
        Assert.True(log.TryTake(900, out long ticket));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(log.TryTake(100, out _));
        log.Adjust(ticket, +5_000);
        Assert.Equal(900, log.Available);
    }

    [Fact]
    public void ShrinkBurst_HalvesTheBurstNotTheThroughput()
    {
        var log = new SlidingWindowLog(600, WindowShape.PerMinute, _time);
        log.ShrinkBurst();
        Assert.Equal(TimeSpan.FromSeconds(5), log.Shape.BurstPeriod);
        Assert.Equal(50, log.BurstLimit);
        for (int i = 0; i < 10; i++)
        {
            log.ShrinkBurst();
        }

        Assert.Equal(WindowShape.MinBurstPeriod, log.Shape.BurstPeriod);
        Assert.Equal(3, log.BurstLimit); // 600 × 0.25 s / 60 s = 2.5, rounded up so the throughput stays whole

        var start = _time.GetUtcNow();
        long admitted = 0;
        while (_time.GetUtcNow() - start < TimeSpan.FromMinutes(5))
        {
            admitted += TakeAll(log);
            _time.Advance(log.TimeUntil(1));
        }

        Assert.InRange(admitted, 2_950, 3_000);
    }

    [Fact]
    public void TryTake_OneSecondBursts_MarginCostsAtMostTwoAndAHalfPercent()
    {
        // OpenAI and Azure document enforcement over periods as short as one second.
        var log = new SlidingWindowLog(600, WindowShape.Minute(TimeSpan.FromSeconds(1)), _time);
        Assert.Equal(10, log.BurstLimit);
        Assert.Equal(10, TakeAll(log));
        Assert.Equal(TimeSpan.FromSeconds(1.025), log.TimeUntil(1));
        var start = _time.GetUtcNow();
        long admitted = 10;
        while (_time.GetUtcNow() - start < TimeSpan.FromMinutes(5))
        {
            _time.Advance(log.TimeUntil(1));
            admitted += TakeAll(log);
        }

        Assert.InRange(admitted, 2_925, 3_010);
    }

    [Theory]
    [InlineData(false, 0.90, 0.96)]
    [InlineData(true, 0.975, 1.0)]
    public void TryTake_TokenChargesNearTheOneSecondBurst_ARefillingBurstWastesLessThanALog(bool refills, double least, double most)
    {
        // 40,000 TPM in one-second bursts (667 tokens) against charges of 130 to 1,100 tokens: a log frees each
        // charge a whole period (and margin) after it, so the room a large charge could not use waits with it; a
        // refilling burst frees continuously.
        var shape = WindowShape.Minute(TimeSpan.FromSeconds(1)) with { BurstRefills = refills };
        var log = new SlidingWindowLog(40_000, shape, _time);
        var random = new Random(7);
        var start = _time.GetUtcNow();
        long admitted = 0;
        long next = random.Next(130, 1_100);
        while (_time.GetUtcNow() - start < TimeSpan.FromMinutes(10))
        {
            while (log.TryTake(next, out _))
            {
                admitted += next;
                next = random.Next(130, 1_100);
            }

            _time.Advance(log.TimeUntil(next));
        }

        Assert.InRange(admitted / (40_000 * 10.0), least, most);
    }

    [Fact]
    public void TryTake_RefillingBurst_FreshBurstIsTheBurstLimitLessTheMargin()
    {
        var log = new SlidingWindowLog(6_000, WindowShape.PerMinute with { BurstRefills = true }, _time);
        Assert.Equal(975, log.Available); // 1,000 per 10 s, less what the 250 ms margin refills (25)
        Assert.True(log.TryTake(975, out _));
        Assert.False(log.TryTake(1, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(10), log.TimeUntil(1)); // 100 tokens a second
        Assert.Equal(TimeSpan.FromSeconds(9.75), log.TimeUntil(5_000)); // more than it holds: once full
    }

    [Fact]
    public void TryTake_RefillingOneSecondBurst_HoldsTheWholeMarginOfJitterBack()
    {
        // OpenAI's one-second quantum at 60,000 TPM holds 1,000 tokens; requests that left evenly spaced can arrive
        // bunched by the jitter in between. A loaded run met the quantum 35 tokens short against a margin of 25 (a
        // fortieth of the period): the bucket now holds back the whole 250 ms margin, which costs it no throughput.
        var log = new SlidingWindowLog(60_000, WindowShape.Minute(TimeSpan.FromSeconds(1)) with { BurstRefills = true }, _time);
        Assert.Equal(750, log.Available);
        Assert.True(log.TryTake(750, out _));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(750, log.Available); // refilled at the full rate, never above 750
    }

    [Fact]
    public void HoldRefillUntil_RefillingBurst_EarnsNothingUntilThenAndWaitsAccordingly()
    {
        var log = new SlidingWindowLog(60_000, WindowShape.Minute(TimeSpan.FromSeconds(1)) with { BurstRefills = true }, _time);
        log.HoldRefillUntil(_time.GetTimestamp() + (2 * _time.TimestampFrequency));
        Assert.True(log.TryTake(750, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(2_010), log.TimeUntil(10)); // the hold, then 10 tokens at 1,000 a second

        _time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(0, log.Available); // taken together with what came before, whatever the time between
        _time.Advance(TimeSpan.FromSeconds(0.6));
        Assert.Equal(100, log.Available); // refilling from the end of the hold
    }

    [Fact]
    public void ResumeRefill_DuringAHold_RefillsFromNowNotFromTheTake()
    {
        var log = new SlidingWindowLog(60_000, WindowShape.Minute(TimeSpan.FromSeconds(1)) with { BurstRefills = true }, _time);
        log.HoldRefillUntil(_time.GetTimestamp() + (2 * _time.TimestampFrequency));
        Assert.True(log.TryTake(750, out _));
        _time.Advance(TimeSpan.FromSeconds(1));
        log.ResumeRefill();
        Assert.Equal(0, log.Available);
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(200, log.Available);
    }

    [Fact]
    public void Adjust_RefillingBurst_RefundRefillsAndOverrunIsDebt()
    {
        var log = new SlidingWindowLog(6_000, WindowShape.PerMinute with { BurstRefills = true }, _time);
        Assert.True(log.TryTake(900, out long ticket));
        log.Adjust(ticket, -800);
        Assert.Equal(875, log.Available);
        log.Adjust(ticket, 1_000);
        Assert.Equal(-125, log.Available);
        Assert.Equal(TimeSpan.FromSeconds(1.26), log.TimeUntil(1));
    }

    [Fact]
    public void ShrinkBurst_RefillingBurst_HalvesTheBurstKeepsRefilling()
    {
        var log = new SlidingWindowLog(6_000, WindowShape.PerMinute with { BurstRefills = true }, _time);
        log.ShrinkBurst();
        Assert.True(log.Shape.BurstRefills);
        Assert.Equal(TimeSpan.FromSeconds(5), log.Shape.BurstPeriod);
        Assert.Equal(475, log.Available); // 500 per 5 s less what the 250 ms margin refills: 25
    }

    [Fact]
    public void ReduceAvailableTo_EvidenceOfUseElsewhere_LowersAndExpires()
    {
        var log = new SlidingWindowLog(600, WindowShape.PerMinute, _time);
        log.ReduceAvailableTo(20);
        Assert.Equal(20, log.Available);
        Assert.Equal(20, log.TakeCount()); // the use elsewhere was spread over the past minute: the burst rule ignores it
        Assert.Equal(TimeSpan.FromMinutes(1) + Margin, log.TimeUntil(1));
        log.ReduceAvailableTo(500); // never raises
        Assert.Equal(TimeSpan.FromMinutes(1) + Margin, log.TimeUntil(1));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Charge_UseElsewhereWhileBothSend_EachGetsAboutHalfTheRate(bool refills)
    {
        // Two processes on one key, each with the whole limit and no Redis: each learns of the other's use from the
        // provider's remaining counts (Charge). Counting it against the burst too makes each pace at about half the
        // rate; in the window alone each kept bursting at the whole rate, twice what a provider enforcing one-second
        // periods admits (the 429s and their death spiral seen on two `fastbucket run` against `--accounting openai`).
        var shape = WindowShape.Minute(TimeSpan.FromSeconds(1)) with { BurstRefills = refills };
        var a = new SlidingWindowLog(600, shape, _time);
        var b = new SlidingWindowLog(600, shape, _time);
        long sentA = 0, sentB = 0, seenByA = 0, seenByB = 0;
        var start = _time.GetUtcNow();
        while (_time.GetUtcNow() - start < TimeSpan.FromMinutes(5))
        {
            while (a.TryTake(1, out _))
            {
                sentA++;
            }

            while (b.TryTake(1, out _))
            {
                sentB++;
            }

            // Each response tells each process what the other sent since the last one.
            a.Charge(sentB - seenByA);
            seenByA = sentB;
            b.Charge(sentA - seenByB);
            seenByB = sentA;
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        // Together at most the limit's rate (3,000 in five minutes) plus one minute's first burst; neither starved.
        Assert.InRange(sentA + sentB, 2_400, 3_000 + 20);
        Assert.InRange(sentA, 900, 1_700);
        Assert.InRange(sentB, 900, 1_700);
    }

    [Fact]
    public void Charge_EvidenceEveryTenthOfASecondForTenMinutes_FreesAsItAges()
    {
        // Folding every charge past the 32nd into the last entry pushed that entry's expiry on with each new charge:
        // under steady evidence it never freed and the window's room shrank to nothing.
        var log = new SlidingWindowLog(60_000, WindowShape.PerMinute with { BurstRefills = true }, _time);
        for (int i = 0; i < 6_000; i++)
        {
            log.Charge(10);
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        // 100 a second for the last minute (and its 250 ms margin), plus the 32-entry bound's rounding.
        Assert.InRange(log.InWindow, 6_000, 6_400);
    }

    [Fact]
    public void Charge_RefillingBurst_DebitsAtMostOneBurst()
    {
        // Use made elsewhere over the past minute is not a burst of now: one burst's worth waits, the rest only in the window.
        var log = new SlidingWindowLog(6_000, WindowShape.PerMinute with { BurstRefills = true }, _time);
        log.Charge(3_000);
        Assert.Equal(0, log.Available); // the burst emptied (975), not 3,000 in debt
        Assert.Equal(TimeSpan.FromMilliseconds(10), log.TimeUntil(1));
        Assert.Equal(3_000, log.Limit - log.InWindow);
    }

    [Fact]
    public void Constructor_BadShape_NamesTheParameter()
    {
        Assert.Equal("burstFraction", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new WindowShape(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10), 0.1, TimeSpan.Zero)).ParamName);
        Assert.Equal("burstPeriod", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new WindowShape(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), 1, TimeSpan.Zero)).ParamName);
        Assert.Equal("limit", Assert.Throws<ArgumentOutOfRangeException>(() => new SlidingWindowLog(0, WindowShape.PerMinute)).ParamName);
    }

    private static readonly WindowShape WholeMinute = WindowShape.Minute(TimeSpan.FromMinutes(1));

    /// <summary>Takes <paramref name="amount"/>, which must fit, and names the charge.</summary>
    private static long Taken(SlidingWindowLog log, long amount)
    {
        Assert.True(log.TryTake(amount, out long ticket));
        return ticket;
    }

    [Fact]
    public void Forget_ProviderReportsItsFixedWindowsEdgePassed_AdmitsItsNextWindowAtOnce()
    {
        // Azure's tokens: "a running token count ... reset each minute". Without forgetting, the log used a minute from
        // our first send and waited a whole minute after it, wherever the provider's edge fell.
        var log = new SlidingWindowLog(1_000, WholeMinute, _time);
        Taken(log, 900);
        _time.Advance(TimeSpan.FromSeconds(10)); // the provider's minute ended meanwhile
        long ticket = Taken(log, 100);
        Assert.False(log.TryTake(1, out _));

        Assert.Equal(900, log.Forget(ticket, remaining: 900, unseenBefore: 0)); // it counts only the 100 of its new minute
        Assert.Equal(900, log.Available);
        Assert.Equal(100, log.InWindow);
    }

    [Fact]
    public void Forget_ChargesInFlightBeforeTheAnsweredOne_StayCounted()
    {
        // The 300 in flight may reach the provider after the answered charge: its remaining cannot have counted them.
        var log = new SlidingWindowLog(1_000, WholeMinute, _time);
        Taken(log, 600);
        Taken(log, 300);
        long ticket = Taken(log, 100);

        Assert.Equal(600, log.Forget(ticket, remaining: 900, unseenBefore: 300));
        Assert.Equal(600, log.Available);
    }

    [Fact]
    public void Forget_ChargesTakenAfterTheAnsweredOne_StayCounted()
    {
        var log = new SlidingWindowLog(1_000, WholeMinute, _time);
        Taken(log, 300);
        long ticket = Taken(log, 100);
        Taken(log, 500);

        Assert.Equal(300, log.Forget(ticket, remaining: 900, unseenBefore: 0));
        Assert.Equal(400, log.Available);
    }

    [Fact]
    public void Forget_ProviderCountsAtLeastAsMuchAsTheLog_ChangesNothing()
    {
        // Forgetting never lowers: use made elsewhere is the evidence rule's.
        var log = new SlidingWindowLog(1_000, WholeMinute, _time);
        Taken(log, 600);
        long ticket = Taken(log, 100);

        Assert.Equal(0, log.Forget(ticket, remaining: 300, unseenBefore: 0));
        Assert.Equal(0, log.Forget(ticket, remaining: 100, unseenBefore: 0));
        Assert.Equal(300, log.Available);
    }

    [Fact]
    public void Forget_TheOldestFirst_LaterChargesStillFreeWhenTheirMinuteEnds()
    {
        var log = new SlidingWindowLog(1_000, WholeMinute, _time);
        Taken(log, 400);
        _time.Advance(TimeSpan.FromSeconds(20));
        Taken(log, 400);
        _time.Advance(TimeSpan.FromSeconds(20));
        long ticket = Taken(log, 100);

        // The provider let 500 go: all of the first charge and 100 of the second, whose 300 left still free a minute
        // after it was taken (40 s from now), not when the first would have.
        Assert.Equal(500, log.Forget(ticket, remaining: 600, unseenBefore: 0));
        Assert.Equal(600, log.Available);
        Assert.Equal(TimeSpan.FromSeconds(40) + Margin, log.TimeUntil(601));
    }

    [Fact]
    public void Forget_SafeShapesBurstPeriod_KeepsItsCount()
    {
        // The provider's remaining counts its minute; of its shorter periods it says nothing.
        var log = new SlidingWindowLog(600, WindowShape.PerMinute, _time);
        Taken(log, 60);
        long ticket = Taken(log, 40);

        Assert.Equal(60, log.Forget(ticket, remaining: 560, unseenBefore: 0));
        Assert.Equal(40, log.InWindow);
        Assert.Equal(0, log.Available);
        Assert.Equal(TimeSpan.FromSeconds(10) + Margin, log.TimeUntil(1));
    }

    [Fact]
    public void Forget_AnsweredChargeExpired_ChangesNothing()
    {
        var log = new SlidingWindowLog(1_000, WholeMinute, _time);
        long ticket = Taken(log, 100);
        _time.Advance(TimeSpan.FromMinutes(1) + Margin);
        Taken(log, 900);

        Assert.Equal(0, log.Forget(ticket, remaining: 1_000, unseenBefore: 0));
        Assert.Equal(100, log.Available);
    }

    [Fact]
    public void Adjust_ForgottenCharge_RefundChangesNothingOverrunCountsAgain()
    {
        var log = new SlidingWindowLog(1_000, WholeMinute, _time);
        long first = Taken(log, 500);
        long ticket = Taken(log, 100);
        Assert.Equal(500, log.Forget(ticket, remaining: 900, unseenBefore: 0));

        log.Adjust(first, -200);
        Assert.Equal(100, log.InWindow);
        log.Adjust(first, +50);
        Assert.Equal(150, log.InWindow);
    }
}

internal static class SlidingWindowLogTestExtensions
{
    public static int TakeCount(this SlidingWindowLog log)
    {
        int taken = 0;
        while (log.TryTake(1, out _))
        {
            taken++;
        }

        return taken;
    }
}
