using System.Diagnostics;

namespace FastBucket.Tests.Waiters;

/// <summary>Real clock, real threads, many waiters: everyone finishes, nothing leaks. Bounds are generous; no speed is asserted.</summary>
public sealed class AsyncAcquireStressTests
{
    private const int PoolLimit = 1024; // WaiterQueue.MaxPooled

    /// <summary>Long enough that only a deadlock or a lost wake-up could exceed it.</summary>
    private static readonly TimeSpan NoDeadlock = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AcquireAsync_TenThousandConcurrentWaitersWithRandomCancellationsAndTimeouts_EveryOneCompletesOrCancelsAndThePoolStaysBounded()
    {
        const int waiters = 10_000;
        const int producers = 4;
        const long capacity = 100;
        const double rate = 100_000; // ~30,000 tokens asked for in all: well under a second of refill
        using var bucket = new TokenBucket(capacity, rate, initialTokens: 0);
        long created = Stopwatch.GetTimestamp();
        var sources = new CancellationTokenSource[waiters];
        var waits = new Task<Outcome>[waiters];
        int peakQueued = 0;

        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            var random = new Random(p);
            for (int i = p; i < waiters; i += producers)
            {
                long size = random.Next(1, 6);
                switch (random.Next(4))
                {
                    case 0:
                        waits[i] = Plain(bucket, size, CancellationToken.None);
                        break;
                    case 1:
                        sources[i] = new CancellationTokenSource(TimeSpan.FromMilliseconds(random.Next(1, 50)));
                        waits[i] = Plain(bucket, size, sources[i].Token);
                        break;
                    case 2:
                        waits[i] = Timed(bucket, size, TimeSpan.FromMilliseconds(random.Next(1, 100)), CancellationToken.None);
                        break;
                    default:
                        sources[i] = new CancellationTokenSource(); // canceled by the thread below, or never
                        waits[i] = Timed(bucket, size, TimeSpan.FromSeconds(30), sources[i].Token);
                        break;
                }

                InterlockedMax(ref peakQueued, bucket.QueuedCount);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        var canceller = new Thread(() =>
        {
            var random = new Random(42);
            for (int round = 0; round < 20_000; round++)
            {
                int i = random.Next(waiters);
                if (Volatile.Read(ref sources[i]) is { } source && random.Next(3) == 0)
                {
                    source.Cancel();
                }
            }
        });
        threads.ForEach(t => t.Join());
        canceller.Start();
        canceller.Join();

        var outcomes = await Task.WhenAll(waits).WaitAsync(NoDeadlock);
        double elapsed = (double)(Stopwatch.GetTimestamp() - created) / Stopwatch.Frequency;

        Assert.Equal(waiters, outcomes.Length);
        Assert.Contains(outcomes, o => o.Kind == Kind.Granted);
        Assert.Contains(outcomes, o => o.Kind == Kind.Canceled);
        Assert.Equal(0, bucket.QueuedCount);
        Assert.Equal(0, bucket.QueuedTokens);
        long granted = outcomes.Where(o => o.Kind == Kind.Granted).Sum(o => o.Tokens);
        Assert.True(granted <= capacity + (rate * elapsed), $"granted {granted} tokens in {elapsed:F3} s, above capacity + rate x elapsed");
        Assert.InRange(bucket.PooledWaiters, 1, PoolLimit);
        if (peakQueued > PoolLimit)
        {
            Assert.Equal(PoolLimit, bucket.PooledWaiters); // every completed waiter went back until the pool was full
        }

        await bucket.AcquireAsync(capacity).AsTask().WaitAsync(NoDeadlock); // the waiters flag is clear and the timer alive
        foreach (var source in sources)
        {
            source?.Dispose();
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static async Task<Outcome> Plain(TokenBucket bucket, long size, CancellationToken token)
    {
        try
        {
            await bucket.AcquireAsync(size, token);
            return new Outcome(Kind.Granted, size);
        }
        catch (OperationCanceledException)
        {
            return new Outcome(Kind.Canceled, 0);
        }
    }

    private static async Task<Outcome> Timed(TokenBucket bucket, long size, TimeSpan timeout, CancellationToken token)
    {
        try
        {
            return await bucket.AcquireAsync(size, timeout, token) ? new Outcome(Kind.Granted, size) : new Outcome(Kind.TimedOut, 0);
        }
        catch (OperationCanceledException)
        {
            return new Outcome(Kind.Canceled, 0);
        }
    }

    private enum Kind
    {
        Granted,
        Canceled,
        TimedOut,
    }

    private readonly record struct Outcome(Kind Kind, long Tokens);
}
