namespace FastBucket.Tests.Clocks;

/// <summary>A hand-driven clock with the coarse clock's resolution: timestamps are whole milliseconds.</summary>
internal sealed class MillisecondClock : TimeProvider
{
    private long _milliseconds = 1_000_000;

    public override long TimestampFrequency => 1_000;

    public override long GetTimestamp() => Volatile.Read(ref _milliseconds);

    public void Advance(long milliseconds) => Interlocked.Add(ref _milliseconds, milliseconds);
}
