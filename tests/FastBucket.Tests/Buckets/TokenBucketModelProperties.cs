using System.Numerics;
using FsCheck;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.Buckets;

/// <summary>
/// The bucket against an exact rational model (BigInteger fractions) under random interleavings of every
/// operation: TryAcquire, AcquireAsync (plain, timed, cancelable), cancel, timeout, Refund, ForceAcquire,
/// SetAvailable, ReduceAvailableTo, SetLimits with capacity and rate changed by up to 10^9× either way, and
/// Dispose, on a fake clock. After every step: the level agrees with the model's within the bucket's documented
/// resolution (one unit of 1/F token above; below, one unit for the floored virtual clock plus two per change of
/// limits, which rounds the level down to the new unit), every decision (grant or refusal, sync
/// or queued) is one the model allows, waiters are served FIFO and none is stranded (its tokens there, its
/// deadline passed, or its request above a shrunk capacity, and still waiting), and the word is never corrupted
/// (no ObjectDisposedException on a live bucket, level within [−debt limit, capacity]).
/// </summary>
public sealed class TokenBucketModelProperties
{
    /// <summary>Refill periods whose rates are exact fractions with small terms: 1 token per day to 10^9 per second.</summary>
    private static readonly long[] PeriodTicks = [TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute, TimeSpan.TicksPerHour, TimeSpan.TicksPerDay];

    private const long YearSeconds = 31_536_000;

    [Property(MaxTest = 10_000, EndSize = 40)]
    public void AnyInterleaving_AgreesWithExactModel_FifoNoStrandedWaiterNoCorruptedWord(int[] script, int limitsSeed)
    {
        var run = new Run(limitsSeed);
        var ops = script ?? [];
        for (int i = 0; i < ops.Length; i++)
        {
            // FsCheck's ints are small (|x| <= size): the low bits pick the operation, and a hash of the element and
            // its position spreads the amount over 20 bits, so that shrinking still works on the script.
            if (!run.Step(ops[i] & 15, Spread(ops[i], i, limitsSeed)))
            {
                break;
            }
        }
    }

    private static int Spread(int op, int index, int seed)
    {
        uint h = unchecked((uint)op * 0x9E3779B1u + (uint)index * 0x85EBCA6Bu + (uint)seed * 0xC2B2AE35u);
        h ^= h >> 15;
        h = unchecked(h * 0x2C1B3C6Du);
        h ^= h >> 12;
        return (int)(h & 0xFFFFF);
    }

    private sealed class Run
    {
        private readonly FakeTimeProvider _time = new();
        private readonly TokenBucket _bucket;
        private readonly List<Pending> _pending = [];
        private Fraction _level;          // the model's level, in tokens
        private Fraction _ratePerTick;    // tokens per clock tick, exact
        private long _capacity;
        private Fraction _maxDebt;
        private Fraction _excess;         // most the bucket may be above the model: one unit (sub-unit V restart when full)
        private Fraction _deficit;        // most it may be below: one unit (V is floored) plus one per rescale
        private bool _disposed;

        public Run(int limitsSeed)
        {
            var (capacity, tokens, period) = Limits(limitsSeed, 0);
            _bucket = new TokenBucket(new TokenBucketOptions { Capacity = capacity, TokensPerPeriod = tokens, RefillPeriod = TimeSpan.FromTicks(period), TimeProvider = _time });
            Adopt(capacity, tokens, period);
            _level = capacity;
            _excess = Unit;
            _deficit = Unit;
        }

        private Fraction Unit => new(1, _bucket.AvailableUnits.UnitsPerToken);

        public bool Step(int kind, int amount)
        {
            switch (kind)
            {
                case 0 or 1:
                    TryAcquire(1 + amount % _capacity);
                    break;
                case 2 or 3:
                    Advance(amount);
                    break;
                case 4:
                    Enqueue(1 + amount % _capacity, amount % 3);
                    break;
                case 5:
                    Cancel(amount);
                    break;
                case 6:
                    Do(() => _bucket.Refund(1 + amount % _capacity));
                    _level = Fraction.Min(_capacity, _level + (1 + amount % _capacity));
                    break;
                case 7:
                    long charge = 1 + amount % (2 * _capacity);
                    Do(() => _bucket.ForceAcquire(charge));
                    _level = Max(_level - charge, Neg(_maxDebt));
                    break;
                case 8:
                    long set = amount % (_capacity + 1);
                    Do(() => _bucket.SetAvailable(set));
                    _level = Clamp(set);
                    break;
                case 9:
                    long reduce = amount % (_capacity + 1);
                    Do(() => _bucket.ReduceAvailableTo(reduce));
                    _level = Fraction.Min(_level, Clamp(reduce));
                    break;
                case 10 or 11:
                    SetLimits(amount);
                    break;
                case 12:
                    Enqueue(1 + amount % _capacity, 0);
                    break;
                case 13:
                    if ((amount & 7) == 0)
                    {
                        Dispose();
                        return false;
                    }

                    Advance(amount & 0xFF);
                    break;
                default:
                    Advance(amount * 64);
                    break;
            }

            Settle();
            Check();
            return true;
        }

        private void TryAcquire(long tokens)
        {
            bool granted = _bucket.TryAcquire(tokens, out var retryAfter);
            if (_pending.Count > 0)
            {
                Assert.False(granted && _pending.Count == _bucket.QueuedCount && _bucket.QueuedCount > 0, "TryAcquire barged past waiters");
            }

            if (granted)
            {
                Assert.True(_level + _excess >= tokens, $"granted {tokens} with the model's level {_level}");
                _level -= tokens;
            }
            else
            {
                Assert.True(retryAfter > TimeSpan.Zero, "a refusal says when to retry");
                if (_bucket.QueuedCount == 0 && _pending.Count == 0)
                {
                    Assert.True(_level < tokens + _deficit, $"refused {tokens} with the model's level {_level}");
                }
            }
        }

        private void Enqueue(long tokens, int kind)
        {
            var cts = kind == 2 ? new CancellationTokenSource() : null;
            var timeout = kind == 1 ? TimeSpan.FromTicks(1 + (tokens * 7919 % Math.Max(1, TicksFor(tokens)))) : Timeout.InfiniteTimeSpan;
            bool queuedBefore = _pending.Count > 0;
            var wait = _bucket.AcquireAsync(tokens, timeout, cts?.Token ?? default);
            _pending.Add(new Pending(tokens, wait, cts, kind == 1 ? _time.GetTimestamp() + timeout.Ticks : long.MaxValue, queuedBefore));
        }

        private void Cancel(int which)
        {
            var cancelable = _pending.Where(p => p.Cts is not null).ToList();
            if (cancelable.Count > 0)
            {
                cancelable[which % cancelable.Count].Cts!.Cancel();
            }
        }

        private void Advance(int amount)
        {
            long ticks = 1 + (long)amount * amount % Math.Max(2, 3 * TicksFor(_capacity));
            _time.Advance(TimeSpan.FromTicks(ticks));
            // FakeTimeProvider moves the clock to the end of the advance, then fires the timers due: waiters are
            // granted at the end, after the refill (clamped at capacity) of the whole advance.
            _refill += _ratePerTick * ticks;
        }

        private Fraction _refill = Fraction.Zero;

        private void SetLimits(int amount)
        {
            var (capacity, tokens, period) = Limits(amount, _capacity);
            Do(() => _bucket.SetLimits(capacity, tokens, TimeSpan.FromTicks(period)));
            var oldUnit = Unit;
            Adopt(capacity, tokens, period);
            _level = Clamp(_level);
            // The rescale rounds down to the new unit, and the old generation's floored V is carried over: one
            // unit for the rescale and one for the new generation's own floored V.
            _excess = Max(_excess, Max(oldUnit, Unit));
            _deficit = _deficit + Max(oldUnit, Unit) + Max(oldUnit, Unit);
        }

        private void Dispose()
        {
            _bucket.Dispose();
            _disposed = true;
            foreach (var p in _pending)
            {
                Assert.True(p.Wait.IsCompleted, "disposal completes every waiter");
                Assert.Throws<ObjectDisposedException>(() => p.Wait.GetAwaiter().GetResult());
            }

            Assert.Throws<ObjectDisposedException>(() => _bucket.TryAcquire(1));
            Assert.Throws<ObjectDisposedException>(() => _bucket.SetLimits(1, 1));
        }

        /// <summary>Collects the outcomes of waiters that completed during the step and applies them to the model.</summary>
        private void Settle()
        {
            _level = Fraction.Min(_capacity, _level + _refill);
            _refill = Fraction.Zero;
            Fraction granted = Fraction.Zero;
            for (int i = 0; i < _pending.Count; i++)
            {
                var p = _pending[i];
                if (!p.Wait.IsCompleted)
                {
                    continue;
                }

                bool? result;
                try
                {
                    result = p.Wait.GetAwaiter().GetResult();
                }
                catch (OperationCanceledException)
                {
                    result = null;
                }
                catch (ArgumentOutOfRangeException)
                {
                    Assert.True(p.Tokens > _capacity, "only a request above the capacity fails");
                    result = null;
                }

                if (result == true)
                {
                    // FIFO: everyone queued before it has left the queue.
                    for (int j = 0; j < i; j++)
                    {
                        Assert.True(_pending[j].Wait.IsCompleted, $"waiter {i} ({p.Tokens}) granted before earlier waiter {j} ({_pending[j].Tokens})");
                    }

                    Assert.True(_level - granted + _excess >= p.Tokens, $"waiter granted {p.Tokens} with the model's level {_level - granted}");
                    granted += p.Tokens;
                }
                else if (result == false)
                {
                    Assert.True(_time.GetTimestamp() >= p.Deadline, "a timeout before its deadline");
                }

                p.Cts?.Dispose();
                _pending.RemoveAt(i--);
            }

            _level -= granted;
        }

        private void Check()
        {
            var (units, perToken) = _bucket.AvailableUnits;
            var level = new Fraction(units, perToken);
            Assert.True(level <= _level + _excess, $"bucket level {level} above the model's {_level} (+{_excess})");
            Assert.True(level >= _level - _deficit, $"bucket level {level} below the model's {_level} (-{_deficit})");
            Assert.True(level <= _capacity && level >= Neg(_maxDebt), $"level {level} outside [-{_maxDebt}, {_capacity}]");
            Assert.Equal(_pending.Count, _bucket.QueuedCount);
            Assert.Equal(_pending.Sum(p => p.Tokens), _bucket.QueuedTokens);
            if (_pending.Count > 0)
            {
                var head = _pending[0];
                Assert.True(head.Tokens <= _capacity, "a waiter above the capacity is stranded");
                Assert.True(_time.GetTimestamp() < head.Deadline, "a waiter past its deadline is still queued");
                Assert.True(_level < head.Tokens + _deficit, $"head waiter of {head.Tokens} stranded with the model's level {_level}");
            }
        }

        private void Do(Action action)
        {
            Assert.False(_disposed);
            action(); // an ObjectDisposedException here is a corrupted word: nobody disposed this bucket
        }

        private void Adopt(long capacity, long tokensPerPeriod, long periodTicks)
        {
            _capacity = capacity;
            _ratePerTick = new Fraction(tokensPerPeriod, periodTicks);
            long f = _bucket.AvailableUnits.UnitsPerToken;
            // The bucket's debt limit: max(capacity, min(one year of refill, 2^59 units)), in its units, rounded down.
            var yearUnits = new BigInteger(tokensPerPeriod) * YearSeconds * TimeSpan.TicksPerSecond * f / periodTicks;
            var maxDebtUnits = BigInteger.Max(new BigInteger(capacity) * f, BigInteger.Min(yearUnits, BigInteger.One << 59));
            _maxDebt = new Fraction(maxDebtUnits, f);
        }

        private Fraction Clamp(Fraction level) => Max(Neg(_maxDebt), Fraction.Min(_capacity, level));

        private long TicksFor(long tokens) =>
            (long)BigInteger.Min(long.MaxValue / 4, tokens * _ratePerTick.Denominator / _ratePerTick.Numerator + 1);

        /// <summary>
        /// Capacity and rate from a seed: rates from one per day to 10^9 per second; the capacity at most one year of
        /// refill. Relative to <paramref name="previousCapacity"/>, a change can scale it by up to 10^9 either way.
        /// </summary>
        private static (long Capacity, long TokensPerPeriod, long PeriodTicks) Limits(int seed, long previousCapacity)
        {
            var rng = new Random(seed);
            long period = PeriodTicks[rng.Next(PeriodTicks.Length)];
            long tokens = (long)Math.Pow(10, rng.NextDouble() * 9);
            if (period != TimeSpan.TicksPerSecond)
            {
                tokens = Math.Max(1, tokens / (period / TimeSpan.TicksPerSecond)) * (period / TimeSpan.TicksPerSecond) / Math.Max(1, rng.Next(1, 4));
                tokens = Math.Max(1, tokens);
            }

            long yearCap = (long)Math.Min(TokenBucket.MaxCapacity, (double)tokens * YearSeconds * TimeSpan.TicksPerSecond / period);
            long capacity = previousCapacity > 0 && rng.Next(2) == 0
                ? (long)(previousCapacity * Math.Pow(10, rng.NextDouble() * 18 - 9))
                : (long)Math.Pow(10, rng.NextDouble() * 12);
            return (Math.Clamp(capacity, 1, Math.Max(1, yearCap - 1)), tokens, period);
        }

        private static Fraction Max(Fraction a, Fraction b) => a >= b ? a : b;

        private static Fraction Neg(Fraction a) => Fraction.Zero - a;

        private sealed record Pending(long Tokens, ValueTask<bool> Wait, CancellationTokenSource? Cts, long Deadline, bool QueuedBehindOthers);
    }
}
