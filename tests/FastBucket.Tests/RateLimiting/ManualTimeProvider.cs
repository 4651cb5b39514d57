using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.RateLimiting;

/// <summary>
/// A <see cref="FakeTimeProvider"/>'s clock whose timers fire only when the test calls <see cref="FireTimers"/>,
/// and whose next clock read can run an action: together they put a timer callback at an exact point inside
/// a call under test (between the lookup of a partition and its bucket's CAS, say).
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly FakeTimeProvider _clock = new();
    private readonly List<(TimerCallback Callback, object? State)> _timers = [];

    /// <summary>Runs once, at the next clock read, and is cleared before it runs.</summary>
    public Action? OnNextTimestamp { get; set; }

    public override long TimestampFrequency => _clock.TimestampFrequency;

    public override long GetTimestamp()
    {
        if (OnNextTimestamp is { } action)
        {
            OnNextTimestamp = null;
            action();
        }

        return _clock.GetTimestamp();
    }

    public override DateTimeOffset GetUtcNow() => _clock.GetUtcNow();

    /// <summary>Moves the clock; no timer fires.</summary>
    public void Advance(TimeSpan delta) => _clock.Advance(delta);

    /// <summary>Runs the callback of every timer created so far, once, in creation order.</summary>
    public void FireTimers()
    {
        (TimerCallback Callback, object? State)[] timers;
        lock (_timers)
        {
            timers = [.. _timers];
        }

        foreach (var (callback, state) in timers)
        {
            callback(state);
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_timers)
        {
            _timers.Add((callback, state));
        }

        return new InertTimer();
    }

    private sealed class InertTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
