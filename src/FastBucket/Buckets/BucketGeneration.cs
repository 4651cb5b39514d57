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
/// <para><b>Rounding.</b> V is <c>floor(elapsedTicks × S / 2^64)</c> with S = floor(2^64 × units per clock tick):
/// one 64×64→128-bit multiply, no division. V never runs ahead of exact time and lags it by less than 2 units,
/// i.e. less than 2/<see cref="UnitsPerToken"/> token (2 tokens at 10^9/s, 2×10^-6 at 1,000/s). Within a generation
/// the bucket is an exact GCRA on that virtual clock; against exact time it can refuse a request up to 2 units
/// early and, across a full-bucket boundary, grant at most 2 units more than the exact law, never more.</para>
/// </remarks>
[DebuggerDisplay("TAT = {State & TatMask}, waiters = {(State & WaitersFlag) != 0}, retired = {State < 0}")]
internal sealed class BucketGeneration
{
    internal const long WaitersFlag = 1L << 62;
    internal const long TatMask = WaitersFlag - 1;
    internal const long Retired = long.MinValue;

    /// <summary>Past this virtual time the next operation rebases the clock (see remarks).</summary>
    internal const long RebaseThreshold = 1L << 61;

    /// <summary>Units per second never exceed this, so 104 years of V stay under 2^62.</summary>
    private const double MaxUnitsPerSecond = 4.611686018427388e18 / (104 * 365.25 * 86_400);

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

    private readonly UInt128 _unitsPerTickScaled;

    internal BucketGeneration(long capacity, RefillRate rate, long epochTimestamp, long timestampFrequency)
    {
        Debug.Assert(capacity >= 1 && timestampFrequency > 0);
        Capacity = capacity;
        Rate = rate;
        EpochTimestamp = epochTimestamp;
        TimestampFrequency = timestampFrequency;

        UnitShift = Math.Clamp((int)Math.Floor(Math.Log2(MaxUnitsPerSecond / rate.TokensPerSecond)), 0, 62);
        // Log2 of a double can land a hair above the exact value; step down until the bound holds exactly.
        while (UnitShift > 0 && rate.Numerator << UnitShift > new BigInteger(MaxUnitsPerSecond) * rate.Denominator)
        {
            UnitShift--;
        }

        UnitsPerToken = 1L << UnitShift;
        CapacityUnits = capacity << UnitShift;

        // S = floor(2^64 × F × rate / frequency), exactly.
        var scaled = (rate.Numerator << (64 + UnitShift)) / (rate.Denominator * timestampFrequency);
        Debug.Assert(scaled > 0 && scaled < BigInteger.One << 127);
        _unitsPerTickScaled = (UInt128)scaled;
        UnitsPerTickWhole = (ulong)(_unitsPerTickScaled >> 64);
        UnitsPerTickFraction = (ulong)_unitsPerTickScaled;

        // One year of refill, in units: the deepest debt a forced charge can leave.
        var yearUnits = (rate.Numerator * 31_536_000 << UnitShift) / rate.Denominator;
        MaxDebtUnits = (long)BigInteger.Max(CapacityUnits, BigInteger.Min(yearUnits, TatMask / 8));

        // Beyond this the multiply could overflow; V is past the rebase threshold long before.
        MaxElapsedTicks = (long)UInt128.Min(TicksUntilVirtualTime(RebaseThreshold + CapacityUnits), (UInt128)(long.MaxValue / 2));
        Debug.Assert(CapacityUnits + MaxDebtUnits < TatMask - RebaseThreshold);
    }

    /// <summary>V at <paramref name="timestamp"/>: never ahead of exact time, behind by less than 2 units.</summary>
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
        return (long)(e * UnitsPerTickWhole + Math.BigMul(e, UnitsPerTickFraction, out _));
    }

    /// <summary>The smallest elapsed tick count at which V reaches <paramref name="virtualTime"/>.</summary>
    internal UInt128 TicksUntilVirtualTime(long virtualTime)
    {
        if (virtualTime <= 0)
        {
            return 0;
        }

        var target = (UInt128)(ulong)virtualTime << 64;
        var ticks = target / _unitsPerTickScaled;
        if (ticks * _unitsPerTickScaled < target)
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
