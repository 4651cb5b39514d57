using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.Waiters;

/// <summary>
/// A fake clock whose timers truncate due times to whole milliseconds, as the system's do, and count how often
/// they fire: a custom <see cref="TimeProvider"/> over system timers, made deterministic.
/// </summary>
internal sealed class TruncatingTimerProvider : TimeProvider
{
    private int _fired;

    public FakeTimeProvider Fake { get; } = new();

    public int Fired => Volatile.Read(ref _fired);

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new TruncatingTimer(Fake.CreateTimer(
            s =>
            {
                Interlocked.Increment(ref _fired);
                callback(s);
            },
            state,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan));
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class TruncatingTimer(ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(Truncate(dueTime), Truncate(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        private static TimeSpan Truncate(TimeSpan span) =>
            span == Timeout.InfiniteTimeSpan ? span : TimeSpan.FromMilliseconds(Math.Floor(span.TotalMilliseconds));
    }
}
