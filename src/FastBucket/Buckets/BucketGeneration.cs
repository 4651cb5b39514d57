using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastBucket.Buckets;

/// <summary>
/// The state word of a <see cref="TokenBucket"/> together with the immutable parameters it is read with.
/// </summary>
/// <remarks>
/// <para><b>The state word</b> (<see cref="State"/>, one <see cref="long"/>, changed only by
/// <see cref="Interlocked.CompareExchange(ref long, long, long)"/>):</para>
/// <code>
///  63   62   61 ......................................... 0
/// [R ][ W ][ TAT: theoretical arrival time, 62 bits         ]
/// </code>
/// <list type="bullet">
/// <item><b>TAT</b> is a GCRA theoretical arrival time measured in <i>units</i> of 1/<see cref="UnitsPerToken"/>
/// token on a virtual clock V that advances by <c>rate × UnitsPerToken</c> units per second from
/// <see cref="EpochTimestamp"/>. The bucket's level is <c>capacity − max(0, TAT − V) / UnitsPerToken</c>:
/// TAT at or behind V means full, TAT ahead of V by more than the capacity means debt. Token level and
/// refill clock are therefore one number, and an acquire, a refund or a forced charge is one CAS.</item>
/// <item><b>W</b> (bit 62) is set while async waiters are queued, so that <c>TryAcquire</c> can refuse to
/// barge past them by reading the word alone.</item>
/// <item><b>R</b> (bit 63, the sign) marks a retired generation: the limits were changed or the bucket was
/// disposed, and <see cref="Successor"/> holds the next generation (or <see langword="null"/> when disposed).
/// The word of a retired generation never changes again, so a CAS prepared against it always fails.</item>
/// </list>
/// <para><b>Limits.</b> <see cref="UnitsPerToken"/> is the largest power of two that keeps V under 2^62 for
/// 104 years at the bucket's rate (at most 1.4 × 10^9 units per second): 1 at 10^9 tokens/s, 2^20 at
/// 1,000 tokens/s, 2^46 at one token per day. Capacity is at most one year of refill and debt at most one year
/// of refill, so capacity + debt stay under 1/50 of the range. When V passes 2^61 (after at least 52 years of
/// uptime) the next operation rebases the clock (a new generation, same level), so the word never wraps.</para>
/// <para><b>Rounding.</b> The rate is held as a fraction num/den with both terms below 2^31: exact for any
/// "N tokens per period" with terms of that size (500 per minute is 25/3 per second), otherwise the largest
/// such fraction not above it (never rounded up, so the bucket never runs fast; slow by less than
/// max(1, rate) × 2^-30 tokens per second). A rate given as a double is the fraction within half an ulp of it
/// when there is one (1.0 / 3 is one third), else rounded down the same way. Units per clock tick are then P/Q exactly, and V is exactly
/// <c>floor(elapsedTicks × P / Q)</c>: a fixed-point estimate <c>floor(e × ceil(2^64 P/Q) / 2^64)</c> that is V or
/// V + 1, corrected by one 128-bit comparison (three 64×64→128-bit multiplies, no division). So at any instant
/// where exact arithmetic gives a whole unit, the bucket agrees with it exactly. The one inexactness left is
/// the sub-unit part of V when a request finds the bucket full: GCRA restarts from <c>floor(V)</c>, so across that
/// boundary the bucket can grant at most one unit (1/<see cref="UnitsPerToken"/> token: one token at 10^9/s,
/// 10^-6 at 1,000/s) more than exact continuous arithmetic would; every other decision is exact.</para>
/// </remarks>
[DebuggerDisplay("TAT = {State & TatMask}, waiters = {(State & WaitersFlag) != 0}, retired = {State < 0}")]
internal sealed class BucketGeneration
{
    internal const long WaitersFlag = 1L << 62;
    internal const long TatMask = WaitersFlag - 1;
    internal const long Retired = long.MinValue;

    /// <summary>Past this virtual time the next operation rebases the clock (see remarks).</summary>
    internal const long RebaseThreshold = 1L << 61;

    /// <summary>Units per second never exceed this (1.4 × 10^9), so 104 years of V stay under 2^62.</summary>
    private const long MaxUnitsPerSecond = (1L << 62) / (104L * 31_557_600);

    /// <summary>Clocks up to 4.29 GHz are supported (Stopwatch: 1 GHz on Linux, 10 MHz on Windows).</summary>
    private const long MaxTimestampFrequency = 1L << 32;

    /// <summary>The one word of mutable state; see the layout in the remarks.</summary>
    internal long State;

    /// <summary>The generation that replaced this one once <see cref="State"/> is <see cref="Retired"/>.</summary>
    internal BucketGeneration? Successor;

    internal readonly long EpochTimestamp;
    internal readonly ulong UnitsPerTickWhole;
    internal readonly ulong UnitsPerTickFraction;
    internal readonly long MaxElapsedTicks;
    internal readonly long UnitsPerToken;
    internal readonly int UnitShift;
    internal readonly long Capacity;
    internal readonly long CapacityUnits;
    internal readonly long MaxDebtUnits;
    internal readonly RefillRate Rate;
    internal readonly long TimestampFrequency;
    internal readonly ulong UnitsPerTickNumerator;
    internal readonly ulong UnitsPerTickDenominator;

    internal BucketGeneration(long capacity, RefillRate rate, long epochTimestamp, long timestampFrequency)
    {
        Debug.Assert(capacity >= 1 && timestampFrequency > 0);
        Capacity = capacity;
        Rate = rate;
        EpochTimestamp = epochTimestamp;
        TimestampFrequency = timestampFrequency;

        if (timestampFrequency > MaxTimestampFrequency)
        {
            throw new NotSupportedException($"The clock's TimestampFrequency ({timestampFrequency}) is above the {MaxTimestampFrequency} ticks per second a bucket supports.");
        }

        // F: the largest power of two with F × rate <= MaxUnitsPerSecond, exactly.
        UnitShift = 0;
        while (UnitShift < 62 && rate.Numerator << (UnitShift + 1) <= MaxUnitsPerSecond * rate.Denominator)
        {
            UnitShift++;
        }

        UnitsPerToken = 1L << UnitShift;
        CapacityUnits = capacity << UnitShift;

        // Units per clock tick = P / Q exactly. Both fit 63 bits: F × num <= 1.4e9 × den < 2^62 and
        // den × frequency < 2^31 × 2^32.
        var p = new BigInteger(rate.Numerator) << UnitShift;
        var q = new BigInteger(rate.Denominator) * timestampFrequency;
        var g = BigInteger.GreatestCommonDivisor(p, q);
        UnitsPerTickNumerator = (ulong)(p / g);
        UnitsPerTickDenominator = (ulong)(q / g);

        // S = ceil(2^64 × P / Q): the fixed-point estimate floor(e × S / 2^64) is V or V + 1, never below.
        var scaled = ((p << 64) + q - 1) / q;
        Debug.Assert(scaled > 0 && scaled < BigInteger.One << 127);
        UnitsPerTickWhole = (ulong)(scaled >> 64);
        UnitsPerTickFraction = (ulong)(scaled & ulong.MaxValue);

        // One year of refill, in units: the deepest debt a forced charge can leave.
        var yearUnits = (new BigInteger(rate.Numerator) * 31_536_000 << UnitShift) / rate.Denominator;
        MaxDebtUnits = (long)BigInteger.Max(CapacityUnits, BigInteger.Min(yearUnits, TatMask / 8));

        // Beyond this the multiply could overflow; V is past the rebase threshold long before.
        MaxElapsedTicks = (long)UInt128.Min(TicksUntilVirtualTime(RebaseThreshold + CapacityUnits), (UInt128)(long.MaxValue / 2));
        Debug.Assert(CapacityUnits + MaxDebtUnits < TatMask - RebaseThreshold);
    }

    /// <summary>V at <paramref name="timestamp"/>: exactly floor(elapsed ticks × P / Q).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal long VirtualTime(long timestamp)
    {
        long elapsed = timestamp - EpochTimestamp;
        if (elapsed <= 0)
        {
            // A timestamp read before this generation began (another thread rebased or reconfigured since):
            // counting it as the epoch only ever errs towards refusing.
            return 0;
        }

        ulong e = (ulong)Math.Min(elapsed, MaxElapsedTicks);
        ulong v = e * UnitsPerTickWhole + Math.BigMul(e, UnitsPerTickFraction, out _);

        // Exact floor(e × P / Q): the estimate is one too high exactly when v × Q > e × P.
        ulong high = Math.BigMul(v, UnitsPerTickDenominator, out ulong low);
        ulong exactHigh = Math.BigMul(e, UnitsPerTickNumerator, out ulong exactLow);
        if (high > exactHigh || (high == exactHigh && low > exactLow))
        {
            v--;
        }

        return (long)v;
    }

    /// <summary>The smallest elapsed tick count at which V reaches <paramref name="virtualTime"/>.</summary>
    internal UInt128 TicksUntilVirtualTime(long virtualTime)
    {
        if (virtualTime <= 0)
        {
            return 0;
        }

        // The smallest e with e × P >= V × Q.
        var target = (UInt128)(ulong)virtualTime * UnitsPerTickDenominator;
        var ticks = target / UnitsPerTickNumerator;
        if (ticks * UnitsPerTickNumerator < target)
        {
            ticks++;
        }

        return ticks;
    }

    /// <summary>The level in units for a state word at virtual time <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal long LevelUnits(long state, long v)
    {
        long tat = state & TatMask;
        return tat <= v ? CapacityUnits : CapacityUnits - (tat - v);
    }

    /// <summary>The TAT that gives <paramref name="levelUnits"/> at virtual time <paramref name="v"/>.</summary>
    internal long TatForLevel(long levelUnits, long v)
    {
        long clamped = Math.Clamp(levelUnits, -MaxDebtUnits, CapacityUnits);
        return v + (CapacityUnits - clamped);
    }

    /// <summary>Tokens to units, saturating at the range a single operation can matter for.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal long ToUnits(long tokens)
    {
        long limit = (CapacityUnits + MaxDebtUnits) >> UnitShift;
        return Math.Min(tokens, limit) << UnitShift;
    }

    /// <summary>Time until V reaches <paramref name="targetV"/>, from <paramref name="timestamp"/>, rounded up.</summary>
    internal TimeSpan TimeUntilVirtualTime(long targetV, long timestamp)
    {
        long elapsed = Math.Max(0, timestamp - EpochTimestamp);
        var needed = TicksUntilVirtualTime(targetV);
        if (needed <= (ulong)elapsed)
        {
            return TimeSpan.Zero;
        }

        var ticks = needed - (ulong)elapsed;
        // Clock ticks to TimeSpan ticks, rounded up so that waiting the returned span is always enough.
        var spanTicks = (ticks * (ulong)TimeSpan.TicksPerSecond + (ulong)TimestampFrequency - 1) / (ulong)TimestampFrequency;
        return spanTicks >= (ulong)TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)spanTicks);
    }
}
