using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.Waiters;

/// <summary>How a scripted acquire waits.</summary>
internal enum WaitKind
{
    Plain,
    Cancelable,
    Timed,
}

/// <summary>One step of a <see cref="WaitScenario"/>.</summary>
internal abstract record WaitStep;

/// <summary>An async acquire of <paramref name="Size"/> tokens.</summary>
internal sealed record EnqueueStep(int Size, WaitKind Kind, long TimeoutTicks) : WaitStep;

/// <summary>Cancels one of the cancelable waits still pending (chosen by <paramref name="Which"/> modulo their count).</summary>
internal sealed record CancelStep(int Which) : WaitStep;

/// <summary>Advances the fake clock.</summary>
internal sealed record AdvanceStep(long Ticks) : WaitStep;

/// <summary>A synchronous TryAcquire.</summary>
internal sealed record TryAcquireStep(int Size) : WaitStep;

/// <summary>
/// A scripted run of async acquires, cancellations, timeouts, clock advances and synchronous acquires on one
/// bucket, checked after every step against an exact model: the level is a rational number of tokens refilled
/// at the rate and capped at the capacity, charged exactly the sizes of the grants observed.
/// </summary>
/// <remarks>
/// With <see cref="FakeTimeProvider"/> every timer due in an advance fires at the advance's end time, so all
/// grants of a step happen at the step's time and the model can charge them there. Laws checked:
/// <list type="bullet">
/// <item>FIFO: a waiter is granted only once every earlier waiter has completed.</item>
/// <item>Work conservation: while anyone waits, the oldest waiter's tokens are not there (it would have been served).</item>
/// <item>No barging: TryAcquire fails while anyone waits; otherwise it agrees with the model.</item>
/// <item>Window law: the model level never goes below zero (nothing granted beyond capacity + rate × time).</item>
/// <item>Conservation: canceled and timed-out waiters keep nothing; at the end the bucket's level equals the model's.</item>
/// <item>Timeouts: a wait times out no earlier than its timeout.</item>
/// </list>
/// </remarks>
internal sealed record WaitScenario(int Capacity, int Rate, int Initial, WaitStep[] Steps)
{
    private const long Scale = 10_000_000; // model level in 1/10^7 token: exact for integer rates at 10^7 ticks/s

    /// <summary>Below the bucket's documented rounding (2 units of at least 2^20 per token at these rates) with room to spare.</summary>
    private const double ToleranceTokens = 1e-5;

    public static Arbitrary<WaitScenario> Arbitrary { get; } = CreateGen().ToArbitrary();

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"capacity {Capacity}, rate {Rate}/s, initial {Initial}: {string.Join("; ", Steps.Select(s => s.ToString()))}");

    /// <summary>Runs the scenario; <see langword="null"/> if every law held, else what broke.</summary>
    public string? Check()
    {
        var clock = new FakeTimeProvider();
        using var bucket = new TokenBucket(Capacity, Rate, clock, initialTokens: Initial);
        var run = new Run(this, bucket, clock);
        try
        {
            foreach (var step in Steps)
            {
                run.Apply(step);
            }

            run.Quiesce();
            return null;
        }
        catch (LawBrokenException e)
        {
            return e.Message;
        }
        finally
        {
            run.Dispose();
        }
    }

    private static Gen<WaitScenario> CreateGen() =>
        from capacity in Gen.Choose(1, 20)
        from rate in Gen.Choose(1, 1000)
        from initial in Gen.Choose(0, capacity)
        from steps in StepGen(capacity, rate).ListOf()
        select new WaitScenario(capacity, rate, initial, steps.ToArray());

    private static Gen<WaitStep> StepGen(int capacity, int rate)
    {
        // Clock steps from one tick to about two full refills, so that waits end in every order.
        long refillTicks = capacity * Scale / rate;
        var advance = Gen.Choose(1, 1000).Select(permille => (WaitStep)new AdvanceStep(Math.Max(1, refillTicks * 2 * permille / 1000)));
        var size = Gen.Choose(1, capacity);
        var enqueue =
            from s in size
            from kind in Gen.Elements(WaitKind.Plain, WaitKind.Cancelable, WaitKind.Timed)
            from permille in Gen.Choose(1, 1000)
            select (WaitStep)new EnqueueStep(s, kind, kind == WaitKind.Timed ? Math.Max(1, refillTicks * 3 * permille / 1000) : 0);
        return Gen.Frequency(
            (5, enqueue),
            (4, advance),
            (2, Gen.Choose(0, 100).Select(w => (WaitStep)new CancelStep(w))),
            (2, size.Select(s => (WaitStep)new TryAcquireStep(s))));
    }

    private sealed class LawBrokenException(string message) : Exception(message);

    private enum Outcome
    {
        Pending,
        Granted,
        Canceled,
        TimedOut,
    }

    private sealed class Waiter(int arrival, int size, long enqueuedAt, long timeoutTicks, CancellationTokenSource? cts, ValueTask plain, ValueTask<bool> timed)
    {
        public int Arrival { get; } = arrival;

        public int Size { get; } = size;

        public long EnqueuedAt { get; } = enqueuedAt;

        public long TimeoutTicks { get; } = timeoutTicks;

        public CancellationTokenSource? Cts { get; } = cts;

        public Outcome Outcome { get; private set; }

        /// <summary>Reads the outcome once the wait completed (consuming the ValueTask exactly once).</summary>
        public bool TryComplete()
        {
            bool isTimed = TimeoutTicks > 0;
            if (!(isTimed ? timed.IsCompleted : plain.IsCompleted))
            {
                return false;
            }

            try
            {
                if (isTimed)
                {
                    Outcome = timed.GetAwaiter().GetResult() ? Outcome.Granted : Outcome.TimedOut;
                }
                else
                {
                    plain.GetAwaiter().GetResult();
                    Outcome = Outcome.Granted;
                }
            }
            catch (OperationCanceledException)
            {
                Outcome = Outcome.Canceled;
            }

            return true;
        }
    }

    private sealed class Run(WaitScenario scenario, TokenBucket bucket, FakeTimeProvider clock) : IDisposable
    {
        private readonly List<Waiter> _waiters = [];
        private long _level = scenario.Initial * Scale;
        private long _now;

        public void Apply(WaitStep step)
        {
            switch (step)
            {
                case EnqueueStep enqueue:
                    Enqueue(enqueue);
                    break;
                case CancelStep cancel:
                    var cancelable = _waiters.Where(w => w.Outcome == Outcome.Pending && w.Cts is not null).ToList();
                    if (cancelable.Count > 0)
                    {
                        cancelable[cancel.Which % cancelable.Count].Cts!.Cancel();
                    }

                    break;
                case AdvanceStep advance:
                    Advance(advance.Ticks);
                    break;
                case TryAcquireStep tryAcquire:
                    TryAcquire(tryAcquire.Size);
                    break;
            }

            Observe(step);
        }

        public void Quiesce()
        {
            for (int i = 0; i < 10_000 && Head() is { } head; i++)
            {
                var wait = bucket.TimeUntil(head.Size);
                if (wait <= TimeSpan.Zero)
                {
                    throw new LawBrokenException($"waiter #{head.Arrival} ({head.Size}) still waits with its tokens there");
                }

                Advance(wait.Ticks);
                Observe(new AdvanceStep(wait.Ticks));
            }

            if (Head() is { } stuck)
            {
                throw new LawBrokenException($"waiter #{stuck.Arrival} never completed");
            }

            var (levelUnits, unitsPerToken) = bucket.AvailableUnits;
            double actual = (double)levelUnits / unitsPerToken;
            double expected = (double)_level / Scale;
            if (Math.Abs(actual - expected) > ToleranceTokens)
            {
                throw new LawBrokenException(string.Create(CultureInfo.InvariantCulture, $"at quiescence the level is {actual:R} tokens, the model says {expected:R}"));
            }
        }

        public void Dispose()
        {
            foreach (var waiter in _waiters)
            {
                waiter.Cts?.Dispose();
            }
        }

        private void Enqueue(EnqueueStep step)
        {
            CancellationTokenSource? cts = step.Kind == WaitKind.Cancelable ? new CancellationTokenSource() : null;
            var waiter = step.Kind switch
            {
                WaitKind.Timed => new Waiter(_waiters.Count, step.Size, _now, step.TimeoutTicks, null, default, bucket.AcquireAsync(step.Size, TimeSpan.FromTicks(step.TimeoutTicks))),
                _ => new Waiter(_waiters.Count, step.Size, _now, 0, cts, bucket.AcquireAsync(step.Size, cts?.Token ?? default), default),
            };
            _waiters.Add(waiter);
        }

        private void Advance(long ticks)
        {
            clock.Advance(TimeSpan.FromTicks(ticks));
            _now += ticks;
            _level = Math.Min(scenario.Capacity * Scale, _level + scenario.Rate * ticks);
        }

        private void TryAcquire(int size)
        {
            bool anyoneWaits = Head() is not null;
            bool granted = bucket.TryAcquire(size);
            if (granted && anyoneWaits)
            {
                throw new LawBrokenException($"TryAcquire({size}) barged past a waiter");
            }

            double modelLevel = (double)_level / Scale;
            if (!anyoneWaits && granted != modelLevel >= size && Math.Abs(modelLevel - size) > ToleranceTokens)
            {
                throw new LawBrokenException(string.Create(CultureInfo.InvariantCulture, $"TryAcquire({size}) returned {granted} at model level {modelLevel:R}"));
            }

            if (granted)
            {
                Charge(size);
            }
        }

        private void Observe(WaitStep step)
        {
            foreach (var waiter in _waiters)
            {
                if (waiter.Outcome != Outcome.Pending || !waiter.TryComplete())
                {
                    continue;
                }

                switch (waiter.Outcome)
                {
                    case Outcome.Granted:
                        var earlier = _waiters.Take(waiter.Arrival).FirstOrDefault(w => w.Outcome == Outcome.Pending);
                        if (earlier is not null)
                        {
                            throw new LawBrokenException($"after {step}: waiter #{waiter.Arrival} granted before #{earlier.Arrival}");
                        }

                        Charge(waiter.Size);
                        break;
                    case Outcome.TimedOut when _now - waiter.EnqueuedAt < waiter.TimeoutTicks:
                        throw new LawBrokenException($"after {step}: waiter #{waiter.Arrival} timed out after {_now - waiter.EnqueuedAt} of {waiter.TimeoutTicks} ticks");
                    case Outcome.Canceled when waiter.Cts is not { IsCancellationRequested: true }:
                        throw new LawBrokenException($"after {step}: waiter #{waiter.Arrival} canceled without being asked");
                }
            }

            if (Head() is { } head && bucket.TimeUntil(head.Size) == TimeSpan.Zero)
            {
                throw new LawBrokenException($"after {step}: waiter #{head.Arrival} ({head.Size}) still waits with its tokens there");
            }
        }

        private void Charge(int size)
        {
            _level -= size * Scale;
            if ((double)_level / Scale < -ToleranceTokens)
            {
                throw new LawBrokenException(string.Create(CultureInfo.InvariantCulture, $"granted beyond capacity + rate × time: model level {(double)_level / Scale:R}"));
            }
        }

        private Waiter? Head() => _waiters.FirstOrDefault(w => w.Outcome == Outcome.Pending);
    }
}
