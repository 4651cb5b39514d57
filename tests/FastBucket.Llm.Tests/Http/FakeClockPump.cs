using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Http;

/// <summary>
/// Drives a <see cref="FakeTimeProvider"/> shared by the simulator and the client while real HTTP runs over loopback:
/// every real millisecond or so the fake clock moves by <see cref="Step"/>, so a minute of rate limits passes in a
/// second of test time and both sides agree on the clock exactly.
/// </summary>
internal sealed class FakeClockPump : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeClockPump(FakeTimeProvider time, TimeSpan step)
    {
        Time = time;
        Step = step;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                time.Advance(step);
                await Task.Delay(1).ConfigureAwait(false);
            }
        });
    }

    public FakeTimeProvider Time { get; }

    public TimeSpan Step { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
