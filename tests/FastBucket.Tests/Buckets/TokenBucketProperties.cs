using FsCheck;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.Buckets;

/// <summary>
/// The laws of the bucket, checked on random scripts against exact rational arithmetic. A script is an
/// int array; each element encodes an operation in its low three bits and an amount in the rest, so
/// FsCheck can shrink a failing script to a short one.
/// </summary>
public sealed class TokenBucketProperties
{
    private sealed class Rig
    {
        public Rig(int capSeed, int tokensSeed, int periodSeed, long? initial = null)
        {
            Capacity = capSeed % 1_000 + 1;
            TokensPerPeriod = tokensSeed % 1_000 + 1;
            Period = TimeSpan.FromMilliseconds(periodSeed % 60_000 + 1);
            Bucket = new TokenBucket(new TokenBucketOptions
            {
                Capacity = Capacity,
                TokensPerPeriod = TokensPerPeriod,
                RefillPeriod = Period,
                TimeProvider = Time,
                InitialTokens = initial,
            });
            RatePerTick = new Fraction(TokensPerPeriod, Period.Ticks);
        }

        public FakeTimeProvider Time { get; } = new();

        public TokenBucket Bucket { get; }

        public long Capacity { get; set; }

        public long TokensPerPeriod { get; set; }

        public TimeSpan Period { get; }

        public Fraction RatePerTick { get; set; }

        public Fraction Level
        {
            get
            {
                var (units, perToken) = Bucket.AvailableUnits;
                return new Fraction(units, perToken);
            }
        }

        public Fraction OneUnit => new(1, Bucket.AvailableUnits.UnitsPerToken);
    }

    private static (int Kind, int Amount) Decode(int op) => (op & 7, (op >> 3) & 0xFFFF);

    /// <summary>
    /// Over any interval, tokens granted minus tokens refunded never exceed the level at its start (counted as
    /// zero while in debt: debt must be repaid before anything is granted) plus the refill over the interval
    /// (rate × length, summed piecewise across limit changes), plus at most one unit of 1/2^k token: the
    /// sub-unit remainder of the virtual clock when the interval starts at a full bucket.
    /// </summary>
    [Property(MaxTest = 300)]
    public void WindowLaw_GrantedMinusRefunded_NeverExceedsLevelAtStartPlusRefill(int[] script, PositiveInt capSeed, PositiveInt tokensSeed, PositiveInt periodSeed)
    {
        var rig = new Rig(capSeed.Get, tokensSeed.Get, periodSeed.Get);
        var checkpoints = new List<(Fraction Level, Fraction Net, Fraction Refill)>();
        Fraction net = Fraction.Zero, refill = Fraction.Zero, tolerance = rig.OneUnit;
        long outstanding = 0;
        checkpoints.Add((rig.Level, net, refill));

        foreach (int op in script ?? [])
        {
            var (kind, amount) = Decode(op);
            switch (kind)
            {
                case 0:
                    long n = amount % rig.Bucket.Capacity + 1;
                    if (rig.Bucket.TryAcquire(n))
                    {
                        net += n;
                        outstanding += n;
                    }

                    break;
                case 1:
                    // Drain: take everything there, as a saturating client would.
                    for (long left = rig.Bucket.Available; left > 0 && rig.Bucket.TryAcquire(Math.Min(left, rig.Bucket.Capacity)); left = rig.Bucket.Available)
                    {
                        long took = Math.Min(left, rig.Bucket.Capacity);
                        net += took;
                        outstanding += took;
                    }

                    break;
                case 2 or 3:
                    long ticks = (long)amount * amount * 49_999; // FsCheck's ints are small: square them to reach seconds
                    rig.Time.Advance(TimeSpan.FromTicks(ticks));
                    refill += rig.RatePerTick * ticks;
                    break;
                case 4:
                    long refund = Math.Min(amount % rig.Bucket.Capacity + 1, outstanding);
                    if (refund > 0)
                    {
                        rig.Bucket.Refund(refund);
                        net -= refund;
                        outstanding -= refund;
                    }

                    break;
                case 5:
                    rig.Bucket.ForceAcquire(amount % rig.Bucket.Capacity + 1);
                    break;
                case 6:
                    rig.Bucket.ReduceAvailableTo(amount % rig.Bucket.Capacity);
                    break;
                default:
                    long capacity = amount % 1_000 + 1;
                    long tokens = amount * 7L % 1_000 + 1;
                    rig.Bucket.SetLimits(capacity, tokens, rig.Period);
                    rig.RatePerTick = new Fraction(tokens, rig.Period.Ticks);
                    tolerance = rig.OneUnit > tolerance ? rig.OneUnit : tolerance;
                    break;
            }

            checkpoints.Add((rig.Level, net, refill));
        }

        for (int i = 0; i < checkpoints.Count; i++)
        {
            for (int j = i + 1; j < checkpoints.Count; j++)
            {
                var taken = checkpoints[j].Net - checkpoints[i].Net;
                var start = checkpoints[i].Level > Fraction.Zero ? checkpoints[i].Level : Fraction.Zero;
                var allowed = start + (checkpoints[j].Refill - checkpoints[i].Refill) + tolerance;
                Assert.True(taken <= allowed, $"steps {i}..{j}: granted - refunded = {taken} > level {checkpoints[i].Level} + refill {checkpoints[j].Refill - checkpoints[i].Refill} + {tolerance}");
            }
        }
    }

    [Property(MaxTest = 300)]
    public void TryAcquire_AgreesWithExactRationalModel_DifferingOnlyWithinOneUnitOfTheBoundary(int[] script, PositiveInt capSeed, PositiveInt tokensSeed, PositiveInt periodSeed, bool startEmpty)
    {
        var rig = new Rig(capSeed.Get, tokensSeed.Get, periodSeed.Get, startEmpty ? 0 : null);
        var unit = rig.OneUnit;
        Fraction model = startEmpty ? Fraction.Zero : rig.Capacity;

        foreach (int op in script ?? [])
        {
            var (kind, amount) = Decode(op);
            switch (kind)
            {
                case 0 or 1 or 2:
                    long n = amount % rig.Capacity + 1;
                    bool granted = rig.Bucket.TryAcquire(n);
                    bool modelGrants = model >= n;
                    if (granted != modelGrants)
                    {
                        // Only the sub-unit remainder of the virtual clock may tip a decision.
                        Assert.True(granted ? model >= n - unit : model < n + unit, $"bucket {(granted ? "granted" : "refused")} {n} with exact level {model}");
                    }

                    if (granted)
                    {
                        model -= n;
                    }

                    break;
                case 3 or 4:
                    long ticks = (long)amount * amount * 50_021;
                    rig.Time.Advance(TimeSpan.FromTicks(ticks));
                    model = Fraction.Min(rig.Capacity, model + rig.RatePerTick * ticks);
                    break;
                case 5:
                    long refund = amount % rig.Capacity + 1;
                    rig.Bucket.Refund(refund);
                    model = Fraction.Min(rig.Capacity, model + refund);
                    break;
                default:
                    long charge = amount % rig.Capacity + 1;
                    rig.Bucket.ForceAcquire(charge);
                    model -= charge;
                    break;
            }

            var difference = rig.Level - model;
            Assert.True(difference <= unit && model - rig.Level <= unit, $"level {rig.Level} vs exact {model}");
        }
    }

    [Property(MaxTest = 300)]
    public void TryAcquire_AfterRefusalSaidRetryAfterR_SucceedsOnceRHasPassed(int[] script, PositiveInt capSeed, PositiveInt tokensSeed, PositiveInt periodSeed)
    {
        var rig = new Rig(capSeed.Get, tokensSeed.Get, periodSeed.Get);
        foreach (int op in script ?? [])
        {
            var (kind, amount) = Decode(op);
            long n = amount % rig.Capacity + 1;
            if (kind == 7)
            {
                rig.Bucket.ForceAcquire(n);
                continue;
            }

            if (!rig.Bucket.TryAcquire(n, out var retryAfter))
            {
                Assert.True(retryAfter > TimeSpan.Zero);
                rig.Time.Advance(retryAfter);
                Assert.True(rig.Bucket.TryAcquire(n), $"{n} tokens not there after the promised {retryAfter}");
            }
            else
            {
                Assert.Equal(TimeSpan.Zero, retryAfter);
            }
        }
    }

    [Property(MaxTest = 200)]
    public void TimeUntil_IsTheExactWait_NotOneTickLess(PositiveInt capSeed, PositiveInt tokensSeed, PositiveInt periodSeed, PositiveInt want, NonNegativeInt spent)
    {
        var rig = new Rig(capSeed.Get, tokensSeed.Get, periodSeed.Get);
        long take = spent.Get % rig.Capacity + 1;
        Assert.True(rig.Bucket.TryAcquire(take));
        long n = want.Get % rig.Capacity + 1;
        var wait = rig.Bucket.TimeUntil(n);
        if (wait > TimeSpan.Zero)
        {
            rig.Time.Advance(wait - TimeSpan.FromTicks(1));
            Assert.False(rig.Bucket.TryAcquire(n));
            rig.Time.Advance(TimeSpan.FromTicks(1));
        }

        Assert.True(rig.Bucket.TryAcquire(n));
    }

    [Property(MaxTest = 200)]
    public void Available_IdleBucket_IsFullAfterCapacityOverRate(PositiveInt capSeed, PositiveInt tokensSeed, PositiveInt periodSeed, int debtSeed)
    {
        var rig = new Rig(capSeed.Get, tokensSeed.Get, periodSeed.Get, initial: 0);
        long debt = Math.Abs(debtSeed % 1_000);
        if (debt > 0)
        {
            rig.Bucket.ForceAcquire(debt);
        }

        // (capacity + debt) / rate, rounded up to whole ticks.
        var ticks = (rig.Capacity + debt) * rig.Period.Ticks;
        var wait = TimeSpan.FromTicks((ticks + rig.TokensPerPeriod - 1) / rig.TokensPerPeriod);
        rig.Time.Advance(wait);
        Assert.Equal(rig.Capacity, rig.Bucket.Available);
        Assert.True(rig.Bucket.TryAcquire(rig.Capacity));
    }

    [Property(MaxTest = 100)]
    public void TryAcquire_AtSaturationOverALongRun_GrantsAtLeast999PerMilleOfTheLaw(PositiveInt capSeed, PositiveInt tokensSeed, PositiveInt periodSeed, int[] sizes)
    {
        var rig = new Rig(capSeed.Get, tokensSeed.Get, periodSeed.Get);
        if (sizes is null || sizes.Length == 0)
        {
            sizes = [1];
        }

        // What is left unused at the end is at most one request, so the law must reach 2,000 of the largest.
        long largest = sizes.Max(s => Math.Abs(s % (int)rig.Capacity) + 1L);
        var horizon = TimeSpan.FromTicks((long)Math.Ceiling(2_000.0 * largest * rig.Period.Ticks / rig.TokensPerPeriod));
        long granted = 0;
        var elapsed = TimeSpan.Zero;
        for (int i = 0; elapsed < horizon; i++)
        {
            long n = Math.Abs(sizes[i % sizes.Length] % (int)rig.Capacity) + 1;
            if (rig.Bucket.TryAcquire(n, out var retryAfter))
            {
                granted += n;
            }
            else
            {
                rig.Time.Advance(retryAfter);
                elapsed += retryAfter;
            }
        }

        var law = rig.Capacity + rig.RatePerTick * elapsed.Ticks;
        Assert.True(new Fraction(granted * 1_000, 1) >= law * 999, $"granted {granted} of {law}");
        Assert.True((Fraction)granted <= law + rig.OneUnit, $"granted {granted} above the law {law}");
    }

    [Property(MaxTest = 200)]
    public void Refund_NeverRaisesLevelAboveCapacity(int[] script, PositiveInt capSeed, PositiveInt tokensSeed, PositiveInt periodSeed)
    {
        var rig = new Rig(capSeed.Get, tokensSeed.Get, periodSeed.Get);
        foreach (int op in script ?? [])
        {
            var (kind, amount) = Decode(op);
            long n = amount % rig.Capacity + 1;
            switch (kind)
            {
                case 0 or 1:
                    rig.Bucket.TryAcquire(n);
                    break;
                case 2:
                    rig.Time.Advance(TimeSpan.FromTicks(amount * 1_013L));
                    break;
                default:
                    rig.Bucket.Refund(amount + 1L);
                    break;
            }

            Assert.True(rig.Level <= rig.Capacity, $"level {rig.Level} above capacity {rig.Capacity}");
        }
    }

    [Property(MaxTest = 200)]
    public void ForceAcquire_Debt_IsRepaidAtExactlyTheRefillRate(PositiveInt capSeed, PositiveInt tokensSeed, PositiveInt periodSeed, PositiveInt chargeSeed, int[] advances)
    {
        var rig = new Rig(capSeed.Get, tokensSeed.Get, periodSeed.Get);
        long charge = chargeSeed.Get % (3 * rig.Capacity) + 1;
        rig.Bucket.ForceAcquire(charge);
        Fraction expected = rig.Capacity - charge;
        Assert.Equal(expected, rig.Level);
        foreach (int advance in advances ?? [])
        {
            long ticks = Math.Abs(advance % 1_000_000);
            rig.Time.Advance(TimeSpan.FromTicks(ticks));
            expected = Fraction.Min(rig.Capacity, expected + rig.RatePerTick * ticks);
            var difference = rig.Level - expected;
            Assert.True(difference <= Fraction.Zero && Fraction.Zero - difference < rig.OneUnit, $"level {rig.Level}, exact {expected}");
        }
    }
}
