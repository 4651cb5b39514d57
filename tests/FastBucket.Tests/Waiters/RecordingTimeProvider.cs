using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.Waiters;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also records every timer arm (<c>Change</c> with a finite due time)
/// and every timer callback, so tests can check that a wait arms one timer for the exact instant.
/// </summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    private readonly Lock _sync = new();
    private readonly List<TimeSpan> _arms = [];
    private int _fired;

    public RecordingTimeProvider(Action? onTimerChange = null)
    {
        OnTimerChange = onTimerChange;
    }

    public FakeTimeProvider Fake { get; } = new();

    /// <summary>Runs inside every <c>ITimer.Change</c>, before the change: lets a test act while the caller holds its locks.</summary>
    public Action? OnTimerChange { get; set; }

    public int Fired => Volatile.Read(ref _fired);

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public void Advance(TimeSpan delta) => Fake.Advance(delta);

    /// <summary>The due times of every arm so far, in order, and forgets them.</summary>
    public TimeSpan[] TakeArms()
    {
        lock (_sync)
        {
            var arms = _arms.ToArray();
            _arms.Clear();
            return arms;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var inner = Fake.CreateTimer(
            s =>
            {
                Interlocked.Increment(ref _fired);
                callback(s);
            },
            state,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        var timer = new RecordingTimer(this, inner);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Record(TimeSpan dueTime)
    {
        OnTimerChange?.Invoke();
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_sync)
            {
                _arms.Add(dueTime);
            }
        }
    }

    private sealed class RecordingTimer(RecordingTimeProvider owner, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.Record(dueTime);
            return inner.Change(dueTime, period);
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
