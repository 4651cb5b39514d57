using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.Clocks;

/// <summary>
/// A <see cref="FakeTimeProvider"/> whose clock reads can run a test's action, once, at a chosen read: the way to
/// put another operation exactly between two steps of a bucket's operation (both steps read the clock), with no
/// threads and no luck. <see cref="Skew"/> moves the clock without firing timers, as a late timer thread would.
/// </summary>
internal sealed class HookedTimeProvider : TimeProvider
{
    private Action? _hook;
    private int _readsBeforeHook;

    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Timestamp ticks added to the fake clock's, without firing its timers.</summary>
    public long Skew { get; set; }

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    /// <summary>Runs <paramref name="hook"/> inside the clock read that comes after <paramref name="readsToSkip"/> more reads.</summary>
    public void AtRead(int readsToSkip, Action hook)
    {
        _readsBeforeHook = readsToSkip;
        _hook = hook;
    }

    public override long GetTimestamp()
    {
        if (_hook is { } hook)
        {
            if (_readsBeforeHook-- == 0)
            {
                _hook = null;
                hook();
            }
        }

        return Fake.GetTimestamp() + Skew;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        Fake.CreateTimer(callback, state, dueTime, period);
}
