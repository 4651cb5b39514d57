using System.Diagnostics;

namespace FastBucket.Quotas.Windows;

/// <summary>
/// A limit enforced in the <see cref="WindowShape">safe shape</see>: a log of charges (when, how much) that admits
/// a charge only if, counting it, no window of <see cref="WindowShape.Window"/> holds more than <see cref="Limit"/>
/// and no burst period holds more than <see cref="BurstLimit"/> (or, with <see cref="WindowShape.BurstRefills"/>, no
/// more than the burst limit plus the limit's rate over any interval: a bucket). A charge larger than the burst limit is admitted
/// alone in its burst period, so every charge up to the limit can be sent. Whatever the provider's windows (fixed,
/// sliding, aligned anywhere), a log that never holds more than the limit in any window cannot exceed it in theirs.
/// </summary>
/// <remarks>
/// <para>A charge is counted from the instant it is taken until its period and the
/// <see cref="WindowShape.ExpiryMargin"/> have passed. <see cref="TimeUntil"/> is exact: both rules only loosen as
/// time passes, so the earliest instant is the later of the two instants at which enough of the oldest charges have
/// expired.</para>
/// <para>Charges are kept in a ring in time order with running sums for the window and the burst period, so a take,
/// an adjustment and the expiry of old charges are O(1) amortized; <see cref="TimeUntil"/> walks the charges it
/// needs to expire. A lock guards the ring: unlike a token bucket, a log is not one word, and its critical sections
/// are a few dozen instructions.</para>
/// </remarks>
internal sealed class SlidingWindowLog
{
    /// <summary>The refill a charge larger than the refilling burst costs on top of itself (see <see cref="TryTake"/>).</summary>
    internal static readonly TimeSpan OversizeMargin = TimeSpan.FromMilliseconds(10);

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private long[] _times = new long[16];

    // When each charge's window starts: its take, or later once restamped (the provider admitted it later than we
    // took it). Never before _times; so a charge still leaves the burst period before the window.
    private long[] _windowTimes = new long[16];
    private long[] _amounts = new long[16];

    // What each charge counts in the window: its amount, less what the provider said it no longer counts (Forget).
    // The burst rule keeps the whole amount: the provider's count of its minute says nothing of its shorter periods.
    private long[] _windowAmounts = new long[16];
    private bool[] _inBurst = new bool[16];
    private long _head;        // sequence number of the oldest charge kept
    private long _burstHead;   // sequence number of the oldest charge in the burst period
    private long _tail;        // sequence number the next charge gets
    private long _windowSum;
    private long _burstSum;

    // Forget resumes here: every charge before it was forgotten whole (an overrun adjusted onto one later counts again
    // but is not walked again, which only forgets less).
    private long _forgottenUpTo;

    // Use the provider counted and we did not make: it frees when the provider says (its reset), not a window from now.
    // Few entries, sorted by expiry; the burst rule ignores them.
    private readonly List<(long ExpiresAt, long Amount, long FirstExpiresAt)> _elsewhere = [];
    private long _elsewhereSum;
    private long _limit;
    private long _burstLimit;
    private long _windowTicks;
    private long _burstTicks;
    private WindowShape _shape;

    // The refilling burst rule (WindowShape.BurstRefills): a bucket of _burstCapacity refilled at the limit per window,
    // its level brought up to date at _burstStamp; negative in debt (a charge larger than the capacity, an overrun).
    // In exact integers: one token is _burstScale units (the window's ticks), so the refill is _limit units a tick and
    // TimeUntil agrees with TryTake to the tick. Int128: a window of 60 s in nanosecond ticks times a limit of 10^9.
    private Int128 _burstLevel;
    private Int128 _burstCapacity;
    private Int128 _oversizeMargin;
    private long _burstScale;
    private long _burstStamp;

    // The refilling burst earns nothing before this timestamp (see HoldRefillUntil).
    private long _refillFrom = long.MinValue;

    /// <summary>Creates a log admitting at most <paramref name="limit"/> per window of <paramref name="shape"/>.</summary>
    public SlidingWindowLog(long limit, WindowShape shape, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentNullException.ThrowIfNull(shape);
        _time = timeProvider ?? TimeProvider.System;
        _shape = shape;
        _limit = limit;
        _burstStamp = _time.GetTimestamp();
        Configure(limit, shape);
        _burstLevel = _burstCapacity;
    }

    /// <summary>The most admitted in any window.</summary>
    public long Limit
    {
        get
        {
            lock (_gate)
            {
                return _limit;
            }
        }
    }

    /// <summary>The most admitted in any burst period (a single larger charge is admitted alone).</summary>
    public long BurstLimit
    {
        get
        {
            lock (_gate)
            {
                return _burstLimit;
            }
        }
    }

    /// <summary>The shape in force.</summary>
    public WindowShape Shape
    {
        get
        {
            lock (_gate)
            {
                return _shape;
            }
        }
    }

    /// <summary>What could be taken now: the smaller of the room in the window and in the burst period (negative in debt).</summary>
    public long Available
    {
        get
        {
            lock (_gate)
            {
                Expire(_time.GetTimestamp());
                return Math.Min(_limit - _windowSum - _elsewhereSum, BurstRoom);
            }
        }
    }

    /// <summary>Charged in the current window (counting the margin).</summary>
    public long InWindow
    {
        get
        {
            lock (_gate)
            {
                Expire(_time.GetTimestamp());
                return _windowSum + _elsewhereSum;
            }
        }
    }

    /// <summary>Takes <paramref name="amount"/> now if both rules allow it.</summary>
    /// <param name="amount">The charge: 0 to <see cref="Limit"/>.</param>
    /// <param name="ticket">Names the charge for <see cref="Adjust"/>.</param>
    public bool TryTake(long amount, out long ticket)
    {
        Debug.Assert(amount >= 0);
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            Expire(now);
            if (!Fits(amount))
            {
                ticket = -1;
                return false;
            }

            ticket = Append(now, amount, inBurst: true);
            Int128 charge = (Int128)amount * _burstScale;

            // A charge larger than the burst goes when the bucket is full, the instant the provider's quantum is full
            // too: it costs OversizeMargin's refill more, so the next one waits until the provider's has been full a while.
            _burstLevel -= charge > _burstCapacity ? charge + _oversizeMargin : charge;
            return true;
        }
    }

    /// <summary>
    /// Charges <paramref name="amount"/> now even beyond the limit: use the provider counted and we did not make. It
    /// counts in the window until <paramref name="freesAfter"/> (the provider's reset; at most, and by default, the
    /// window) and the margin have passed. Up to one burst's worth of it also counts against the burst rule, as if
    /// made now: use elsewhere goes on (another process on the key), so our share of the next burst period is smaller.
    /// Without it two processes on one key each keep bursting at the whole rate, twice what a provider that enforces
    /// over short periods admits; with it each slows by what the other uses. More than one burst's worth was made over
    /// the past window, not in the last instant, and waits only in the window.
    /// </summary>
    public void Charge(long amount, TimeSpan? freesAfter = null)
    {
        if (amount <= 0)
        {
            return;
        }

        long now = _time.GetTimestamp();
        lock (_gate)
        {
            Expire(now);
            if (_shape.BurstRefills)
            {
                // Debt of at most one burst: the refill repays it at the limit's rate.
                Int128 debit = Int128.Min(amount * (Int128)_burstScale, _burstCapacity);
                _burstLevel = Int128.Min(_burstLevel, Int128.Max(_burstLevel - debit, -_burstCapacity));
                AddElsewhere(now, amount, freesAfter);
            }
            else if (_shape.HasBurstRule)
            {
                // In the log as a charge of now (window and burst period alike), the rest as use elsewhere.
                long inBurst = Math.Min(amount, _burstLimit);
                Append(now, inBurst, inBurst: true);
                if (amount > inBurst)
                {
                    AddElsewhere(now, amount - inBurst, freesAfter);
                }
            }
            else
            {
                AddElsewhere(now, amount, freesAfter);
            }
        }
    }

    /// <summary>
    /// Lowers what is left in the window to at most <paramref name="remaining"/>, the difference freeing after
    /// <paramref name="freesAfter"/> as in <see cref="Charge"/>; never raises it.
    /// </summary>
    public void ReduceAvailableTo(long remaining, TimeSpan? freesAfter = null)
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            Expire(now);
            long excess = _limit - _windowSum - _elsewhereSum - Math.Max(0, remaining);
            if (excess > 0)
            {
                AddElsewhere(now, excess, freesAfter);
            }
        }
    }

    /// <summary>
    /// Changes the charge named by <paramref name="ticket"/> by <paramref name="delta"/> (negative: a refund of what
    /// was reserved and not used; positive: an overrun). A charge that has expired is left alone: it no longer counts.
    /// A charge never goes below zero.
    /// </summary>
    public void Adjust(long ticket, long delta)
    {
        if (delta == 0 || ticket < 0)
        {
            return;
        }

        lock (_gate)
        {
            Expire(_time.GetTimestamp());
            if (ticket < _head || ticket >= _tail)
            {
                return;
            }

            int slot = Slot(ticket);
            long before = _amounts[slot];
            long after = Math.Max(0, before + delta);
            _amounts[slot] = after;

            // A forgotten charge counts in the window again only for an overrun (the provider counts that much more).
            long windowAfter = Math.Max(0, _windowAmounts[slot] + delta);
            _windowSum += windowAfter - _windowAmounts[slot];
            _windowAmounts[slot] = windowAfter;
            if (ticket >= _burstHead && _inBurst[slot])
            {
                _burstSum += after - before;
            }

            if (_inBurst[slot])
            {
                // A refund refills the burst bucket (never above its capacity), an overrun is debt.
                _burstLevel = Int128.Min(_burstCapacity, _burstLevel - ((Int128)(after - before) * _burstScale));
            }

            AssertInvariants();
        }
    }

    /// <summary>
    /// Forgets, from the window, charges the provider no longer counts. Its remaining count <paramref name="remaining"/>,
    /// computed when it admitted the charge named by <paramref name="ticket"/>, says it counted at most
    /// <c>limit − remaining</c> of that charge and those taken before it, less <paramref name="unseenBefore"/> of them
    /// that may not have reached it yet (in flight when that charge was taken); whatever those charges hold beyond that,
    /// the provider has let go of (a fixed window's edge passed, its log expired them sooner, it counted them lower).
    /// The excess is taken from the oldest charges first, so every later part of the log still holds at least what the
    /// provider counts of it; charges taken after the named one, use elsewhere and a burst rule shorter than the window
    /// are untouched. Nothing happens where the named charge has expired or the provider counts as much as we do.
    /// </summary>
    /// <returns>What was forgotten.</returns>
    public long Forget(long ticket, long remaining, long unseenBefore)
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            Expire(now);
            if (ticket < _head || ticket >= _tail)
            {
                return 0;
            }

            // The charges before the named one: the window's sum less those from it on (the few taken since: walk back).
            long fromTicket = 0;
            for (long seq = _tail - 1; seq >= ticket; seq--)
            {
                fromTicket += _windowAmounts[Slot(seq)];
            }

            long counted = _windowSum - fromTicket - Math.Max(0, unseenBefore);
            long excess = counted + _windowAmounts[Slot(ticket)] - (_limit - Math.Max(0, remaining));
            long forget = Math.Min(excess, counted);
            long forgotten = 0;
            for (long seq = Math.Max(_head, _forgottenUpTo); seq < ticket && forgotten < forget; seq++)
            {
                int slot = Slot(seq);
                long take = Math.Min(_windowAmounts[slot], forget - forgotten);
                _windowAmounts[slot] -= take;
                forgotten += take;
                if (!_shape.HasBurstRule)
                {
                    // No shorter rule: the burst log is the window's twin (a period of the window), so it forgets too.
                    long burstTake = Math.Min(_amounts[slot], take);
                    _amounts[slot] -= burstTake;
                    _burstSum -= seq >= _burstHead && _inBurst[slot] ? burstTake : 0;
                }

                if (_windowAmounts[slot] == 0)
                {
                    _forgottenUpTo = seq + 1;
                }
            }

            _windowSum -= forgotten;
            AssertInvariants();
            return forgotten;
        }
    }

    /// <summary>
    /// Counts the charge named by <paramref name="ticket"/> in the window from now instead of from its take: its
    /// answer has come, and the provider, which may have admitted it later than we took it (a cold connection's
    /// handshake, a descheduled send), admitted it no later than that. Its burst period is unchanged. A charge that
    /// has expired is left alone.
    /// </summary>
    public void Restamp(long ticket)
    {
        if (ticket < 0)
        {
            return;
        }

        long now = _time.GetTimestamp();
        lock (_gate)
        {
            Expire(now);
            if (ticket >= _head && ticket < _tail)
            {
                int slot = Slot(ticket);
                _windowTimes[slot] = Math.Max(_windowTimes[slot], now);
            }

            AssertInvariants();
        }
    }

    /// <summary>
    /// The refilling burst earns no refill until <paramref name="timestamp"/> (or <see cref="ResumeRefill"/>): charges
    /// taken before a quota's first answer may reach the provider together however far apart we took them (a new
    /// connection's handshake, a first call's JIT), so the refill between them is not theirs to use.
    /// </summary>
    public void HoldRefillUntil(long timestamp)
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            Expire(now);
            _refillFrom = timestamp;
        }
    }

    /// <summary>Ends a <see cref="HoldRefillUntil"/> now, if it has not ended.</summary>
    public void ResumeRefill()
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            Expire(now);
            _refillFrom = Math.Min(_refillFrom, now);
        }
    }

    /// <summary>
    /// How long until <paramref name="amount"/> could be taken, given no other demand: zero if now;
    /// <see cref="Timeout.InfiniteTimeSpan"/> if it exceeds the limit.
    /// </summary>
    public TimeSpan TimeUntil(long amount)
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            if (amount > _limit)
            {
                return Timeout.InfiniteTimeSpan;
            }

            Expire(now);
            long at = Math.Max(
                WindowFreedAt(_windowSum + _elsewhereSum + amount - _limit),
                _shape.BurstRefills
                    ? BurstRefilledAt(now, amount)
                    : FreedAt(_burstHead, _burstSum + amount - Math.Max(_burstLimit, amount), _burstTicks, burst: true));
            return at <= now ? TimeSpan.Zero : _time.GetElapsedTime(now, at);
        }
    }

    /// <summary>Changes the limit (and the burst limit with it); the charges in the log are kept.</summary>
    public void SetLimit(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        lock (_gate)
        {
            Expire(_time.GetTimestamp());
            Configure(limit, _shape);
        }
    }

    /// <summary>Changes the shape; the charges in the log are kept and counted under the new periods.</summary>
    public void SetShape(WindowShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        lock (_gate)
        {
            Reshape(shape);
        }
    }

    /// <summary>Shrinks the burst rule (see <see cref="WindowShape.Shrunk"/>): a smaller burst, the same throughput.</summary>
    public void ShrinkBurst()
    {
        lock (_gate)
        {
            Reshape(_shape.Shrunk());
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{InWindow}/{Limit} per {Shape.Window} (burst {BurstLimit} {(Shape.BurstRefills ? "refilled over" : "per")} {Shape.BurstPeriod})";

    private void Configure(long limit, WindowShape shape)
    {
        _limit = limit;
        _shape = shape;
        _burstLimit = shape.BurstLimit(limit);
        double frequency = _time.TimestampFrequency;
        _windowTicks = (long)Math.Ceiling((shape.Window + shape.ExpiryMargin).TotalSeconds * frequency);
        _burstTicks = (long)Math.Ceiling((shape.BurstPeriod + shape.BurstExpiryMargin).TotalSeconds * frequency);

        // The refilling burst runs at the window's rate (so it never caps the throughput) and holds the burst limit
        // less what the whole expiry margin refills: charges that left evenly spaced may arrive that much bunched, and
        // unlike a log's, a bucket's margin costs no throughput (a loaded run met OpenAI's one-second quantum 35 tokens
        // short, against a margin of a fortieth of the period: 25 of 1,000).
        long scale = (long)Math.Ceiling(shape.Window.TotalSeconds * frequency);
        if (_burstScale != 0 && scale != _burstScale)
        {
            _burstLevel = _burstLevel * scale / _burstScale;
        }

        _burstScale = scale;
        long marginTicks = (long)Math.Ceiling(shape.ExpiryMargin.TotalSeconds * frequency);
        long periodTicks = (long)Math.Ceiling(shape.BurstPeriod.TotalSeconds * frequency);

        // Exactly the period's refill, not the burst limit rounded up to a whole token: a quantum admits a charge larger
        // than itself only when full, and rounded up, ours was "full" while the provider's was a fraction of a token
        // short (a run met OpenAI's quantum 1.7 tokens short of full 4 times).
        _burstCapacity = Int128.Max(scale, ((Int128)limit * periodTicks) - ((Int128)limit * marginTicks));
        _oversizeMargin = (Int128)limit * (long)Math.Ceiling(OversizeMargin.TotalSeconds * frequency);
        _burstLevel = Int128.Min(_burstLevel, _burstCapacity);
    }

    /// <summary>What the burst rule lets through now: the log's room, or the bucket's whole level.</summary>
    private long BurstRoom => _shape.BurstRefills ? (long)Int128.DivRem(_burstLevel - (_burstLevel < 0 ? _burstScale - 1 : 0), _burstScale).Quotient : _burstLimit - _burstSum;

    /// <summary>When the refilling burst holds <paramref name="amount"/> (or, for more than it can hold, is full).</summary>
    private long BurstRefilledAt(long now, long amount)
    {
        Int128 need = Int128.Min((Int128)amount * _burstScale, _burstCapacity) - _burstLevel;
        return need <= 0 ? long.MinValue : Math.Max(now, _refillFrom) + (long)((need + _limit - 1) / _limit);
    }

    private void Reshape(WindowShape shape)
    {
        Configure(_limit, shape);

        // The periods changed: recount the burst period from the oldest charge kept.
        _burstHead = _head;
        _burstSum = 0;
        for (long seq = _head; seq < _tail; seq++)
        {
            _burstSum += _inBurst[Slot(seq)] ? _amounts[Slot(seq)] : 0;
        }

        Expire(_time.GetTimestamp());
    }

    private bool Fits(long amount) =>
        _windowSum + _elsewhereSum + amount <= _limit
        && (_shape.BurstRefills ? _burstLevel >= Int128.Min((Int128)amount * _burstScale, _burstCapacity) : _burstSum + amount <= Math.Max(_burstLimit, amount));

    private void AddElsewhere(long now, long amount, TimeSpan? freesAfter)
    {
        var after = freesAfter is { } f && f < _shape.Window ? (f < TimeSpan.Zero ? TimeSpan.Zero : f) : _shape.Window;
        long expiresAt = now + (long)Math.Ceiling((after + _shape.ExpiryMargin).TotalSeconds * _time.TimestampFrequency);
        // Bounded: a charge expiring within a 32nd of the window after the last entry's first charge joins that entry
        // and frees with it, at most that much late and never early; so about 32 entries cover a window, whatever the
        // rate of evidence. (Folding into the last entry without that bound carried its expiry on with each new
        // charge: under steady evidence it never freed, and the room shrank to nothing.)
        long granularity = (long)Math.Ceiling(_shape.Window.TotalSeconds * _time.TimestampFrequency / 32);
        if (_elsewhere.Count > 0 && _elsewhere[^1] is var last && expiresAt >= last.ExpiresAt
            && (expiresAt - last.FirstExpiresAt <= granularity || _elsewhere.Count >= 64))
        {
            _elsewhere[^1] = (expiresAt, last.Amount + amount, last.FirstExpiresAt);
        }
        else
        {
            int at = _elsewhere.FindLastIndex(e => e.ExpiresAt <= expiresAt) + 1;
            if (_elsewhere.Count >= 64)
            {
                // Out of order and full (a short reset among long ones): join the entry after it, which frees later.
                at = Math.Min(at, _elsewhere.Count - 1);
                _elsewhere[at] = (_elsewhere[at].ExpiresAt, _elsewhere[at].Amount + amount, _elsewhere[at].FirstExpiresAt);
            }
            else
            {
                _elsewhere.Insert(at, (expiresAt, amount, expiresAt));
            }
        }

        _elsewhereSum += amount;
    }

    /// <summary>When enough of the oldest charges and of the use elsewhere have expired, in order of expiry, to free <paramref name="excess"/>.</summary>
    private long WindowFreedAt(long excess)
    {
        if (excess <= 0)
        {
            return long.MinValue;
        }

        long freed = 0;
        long seq = _head;
        int other = 0;
        long lastExpiry = long.MinValue;
        while (seq < _tail || other < _elsewhere.Count)
        {
            // Charges leave in order: one restamped later holds back those behind it (never early, at worst late).
            long entryExpiry = seq < _tail ? Math.Max(lastExpiry, _windowTimes[Slot(seq)] + _windowTicks) : long.MaxValue;
            long at;
            if (other < _elsewhere.Count && _elsewhere[other].ExpiresAt <= entryExpiry)
            {
                at = _elsewhere[other].ExpiresAt;
                freed += _elsewhere[other++].Amount;
            }
            else
            {
                at = lastExpiry = entryExpiry;
                freed += _windowAmounts[Slot(seq++)];
            }

            if (freed >= excess)
            {
                return at;
            }
        }

        Debug.Fail("The charges walked cover any excess of an amount within the limit.");
        return long.MaxValue;
    }

    /// <summary>When enough of the oldest charges from <paramref name="from"/> on have expired to free <paramref name="excess"/>.</summary>
    private long FreedAt(long from, long excess, long lifetime, bool burst)
    {
        if (excess <= 0)
        {
            return long.MinValue;
        }

        long freed = 0;
        for (long seq = from; seq < _tail; seq++)
        {
            int slot = Slot(seq);
            if (burst && !_inBurst[slot])
            {
                continue;
            }

            freed += _amounts[slot];
            if (freed >= excess)
            {
                return _times[slot] + lifetime;
            }
        }

        // Unreachable while the amount is at most the limit (the excess is at most the sum walked); the safe answer.
        Debug.Fail("The charges walked cover any excess of an amount within the limit.");
        return _tail > from ? _times[Slot(_tail - 1)] + lifetime : long.MinValue;
    }

    private long Append(long now, long amount, bool inBurst)
    {
        if (_tail - _head == _times.Length)
        {
            Grow();
        }

        long ticket = _tail++;
        int slot = Slot(ticket);
        _times[slot] = now;
        _windowTimes[slot] = now;
        _amounts[slot] = amount;
        _windowAmounts[slot] = amount;
        _inBurst[slot] = inBurst;
        _windowSum += amount;
        _burstSum += inBurst ? amount : 0;
        AssertInvariants();
        return ticket;
    }

    private void Expire(long now)
    {
        if (now > _burstStamp)
        {
            long from = Math.Max(_burstStamp, _refillFrom);
            if (now > from)
            {
                _burstLevel = Int128.Min(_burstCapacity, _burstLevel + ((Int128)(now - from) * _limit));
            }

            _burstStamp = now;
        }

        while (_burstHead < _tail && _times[Slot(_burstHead)] + _burstTicks <= now)
        {
            _burstSum -= _inBurst[Slot(_burstHead)] ? _amounts[Slot(_burstHead)] : 0;
            _burstHead++;
        }

        while (_head < _burstHead && _windowTimes[Slot(_head)] + _windowTicks <= now)
        {
            _windowSum -= _windowAmounts[Slot(_head)];
            _head++;
        }

        // The burst period is never longer than the window: a charge leaves the burst period first, so the window's
        // expiry never passes the burst head.
        while (_elsewhere.Count > 0 && _elsewhere[0].ExpiresAt <= now)
        {
            _elsewhereSum -= _elsewhere[0].Amount;
            _elsewhere.RemoveAt(0);
        }

        ShrinkIfSparse();
        AssertInvariants();
    }

    private int Slot(long sequence) => (int)(sequence & (_times.Length - 1));

    private void Grow() => Resize(_times.Length * 2);

    private void ShrinkIfSparse()
    {
        // Give memory back after a burst of many small charges; keep at least the initial 16 slots.
        if (_times.Length > 64 && _tail - _head < _times.Length / 8)
        {
            Resize(_times.Length / 2);
        }
    }

    private void Resize(int length)
    {
        var times = new long[length];
        var windowTimes = new long[length];
        var amounts = new long[length];
        var windowAmounts = new long[length];
        var inBurst = new bool[length];
        for (long seq = _head; seq < _tail; seq++)
        {
            long to = seq & (length - 1);
            times[to] = _times[Slot(seq)];
            windowTimes[to] = _windowTimes[Slot(seq)];
            amounts[to] = _amounts[Slot(seq)];
            windowAmounts[to] = _windowAmounts[Slot(seq)];
            inBurst[to] = _inBurst[Slot(seq)];
        }

        _times = times;
        _windowTimes = windowTimes;
        _amounts = amounts;
        _windowAmounts = windowAmounts;
        _inBurst = inBurst;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_head <= _burstHead && _burstHead <= _tail, "head ≤ burst head ≤ tail");
        Debug.Assert(_tail - _head <= _times.Length, "the ring holds every live charge");
        Debug.Assert(_windowSum >= 0 && _burstSum >= 0, "no sum of charges is negative");
        Debug.Assert(_burstLevel <= _burstCapacity, "the refilling burst never holds more than its capacity");
    }
}
