using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Quotas.Congestion;
using FastBucket.Quotas.Windows;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas.Windows;

public sealed class PacedWindowTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 15, 7, 0, 0, TimeSpan.Zero));

    private PacedWindow OpenAIRequests(long limit) =>
        new(QuotaWindowing.For(LlmProvider.OpenAI).CreateWindow(QuotaDimension.RequestsPerMinute, limit, _time, 0), _time);

    [Fact]
    public void TryTake_WholePace_IsTheWindowAlone()
    {
        using var window = OpenAIRequests(600);
        window.SetPace(RequestPace.Whole);
        Assert.Equal(10, window.TakeAll(1)); // the window's one-second burst of 600 per minute
        Assert.Null(window.PacedPerSecond);
    }

    [Fact]
    public void TryTake_HalfPace_OneRequestAtATimeAtHalfTheRate()
    {
        using var window = OpenAIRequests(600);
        window.SetPace(RequestPace.Whole / 2);
        Assert.Equal(5.0, window.PacedPerSecond);
        int taken = 0;
        for (int tick = 0; tick < 100; tick++)
        {
            while (window.TryTake(1, out _))
            {
                taken++;
            }

            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        // Ten seconds at five a second, plus the one the pace holds at the start: half the window's 100.
        Assert.InRange(taken, 50, 51);
    }

    [Fact]
    public void TimeUntil_HalfPace_AgreesWithTryTake()
    {
        using var window = OpenAIRequests(600);
        window.SetPace(RequestPace.Whole / 2);
        Assert.True(window.TryTake(1, out _));
        var wait = window.TimeUntil(1);
        Assert.Equal(TimeSpan.FromMilliseconds(200), wait);
        _time.Advance(wait - TimeSpan.FromTicks(1));
        Assert.False(window.TryTake(1, out _));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.True(window.TryTake(1, out _));
    }

    [Fact]
    public void Adjust_RequestGivenBack_GivesItsPaceBack()
    {
        using var window = OpenAIRequests(600);
        window.SetPace(RequestPace.Whole / 2);
        Assert.True(window.TryTake(1, out long ticket));
        Assert.False(window.TryTake(1, out _));
        window.Adjust(ticket, -1); // canceled before it was sent
        Assert.True(window.TryTake(1, out _));
    }

    [Fact]
    public void TryTake_WindowRefuses_PaceIsNotSpent()
    {
        using var window = OpenAIRequests(60);
        window.SetPace(RequestPace.Floor); // one request every 64 s
        window.ReduceAvailableTo(0, TimeSpan.FromSeconds(1));
        Assert.False(window.TryTake(1, out _)); // the window refuses; the pace's one request must stay
        _time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.True(window.TryTake(1, out _));
        Assert.False(window.TryTake(1, out _));
        Assert.Equal(TimeSpan.FromSeconds(64), window.TimeUntil(1));
    }

    [Fact]
    public async Task SetPace_RacingTakesOnOtherThreads_NeverFailsThem()
    {
        // The pace goes whole (its bucket dropped) and halves again while other threads take, adjust and ask; each
        // side runs until the takers have met many changes of pace.
        using var window = new PacedWindow(QuotaWindowing.For(LlmProvider.OpenAI).CreateWindow(QuotaDimension.RequestsPerMinute, 1_000_000, TimeProvider.System, 0), TimeProvider.System);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        long takes = 0;
        using var stop = new CancellationTokenSource();
        var takers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (window.TryTake(1, out long ticket))
                    {
                        window.Adjust(ticket, -1);
                    }

                    window.TimeUntil(1);
                    Interlocked.Increment(ref takes);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                    return;
                }
            }
        })).ToArray();

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        for (long i = 0; (Interlocked.Read(ref takes) < 500_000 || i < 100_000) && failures.IsEmpty && DateTime.UtcNow < deadline; i++)
        {
            window.SetPace(i % 2 == 0 ? RequestPace.Whole / 2 : RequestPace.Whole);
        }

        await stop.CancelAsync();
        await Task.WhenAll(takers).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Empty(failures);
    }
}
