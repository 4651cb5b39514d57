namespace FastBucket.Tests.Buckets;

/// <summary>
/// The model property's operation mix on real threads and the real clock: limits cut and raised by up to 2^18× and
/// 10^9× while other threads acquire, wait, refund, charge and set the level. Only what holds under any schedule
/// is asserted: no ObjectDisposedException on a live bucket, the level always within [−debt limit, capacity],
/// every waiter completed once the bucket is disposed, and no acquire granted above the capacity it met.
/// </summary>
public sealed class TokenBucketLimitChangeStressTests
{
    [Fact]
    public async Task AllOperations_RacingHugeLimitChanges_NeverCorruptTheWordOrStrandAWaiter()
    {
        var bucket = new TokenBucket(1L << 18, 1);
        const int operations = 20_000;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var waits = new System.Collections.Concurrent.ConcurrentQueue<Task>();
        using var start = new Barrier(3);

        var limits = new Thread(() =>
        {
            var random = new Random(1);
            start.SignalAndWait();
            for (int i = 0; i < operations; i++)
            {
                switch (random.Next(4))
                {
                    case 0: bucket.SetLimits(1, 1.0 / 86_400); break;          // the cut of the issue: 2^18× in capacity, 86,400× in rate
                    case 1: bucket.SetLimits(1L << 18, 1); break;
                    case 2: bucket.SetLimits(1_000_000_000, 1e9); break;         // 10^9× up
                    default: bucket.SetLimits(random.Next(1, 1000), random.Next(1, 1000)); break;
                }
            }
        });

        var acquirers = new Thread(() =>
        {
            var random = new Random(2);
            start.SignalAndWait();
            for (int i = 0; i < operations; i++)
            {
                try
                {
                    long tokens = 1L << random.Next(0, 19);
                    switch (random.Next(8))
                    {
                        case 0 or 1 or 2:
                            bucket.TryAcquire(tokens);
                            break;
                        case 3:
                            waits.Enqueue(bucket.AcquireAsync(tokens, TimeSpan.FromMilliseconds(random.Next(0, 5))).AsTask());
                            break;
                        case 4:
                            bucket.Refund(tokens);
                            break;
                        case 5:
                            bucket.ForceAcquire(tokens);
                            break;
                        case 6:
                            bucket.SetAvailable(tokens);
                            break;
                        default:
                            bucket.ReduceAvailableTo(tokens);
                            break;
                    }
                }
                catch (ArgumentOutOfRangeException e) when (e.ParamName == "tokens")
                {
                    // More tokens than the capacity of the moment: refused, as documented.
                }
                catch (Exception e)
                {
                    failures.Enqueue(e.ToString());
                }

                long level = bucket.Available;
                long capacity = bucket.Capacity;
                if (level > Math.Max(capacity, 1L << 30))
                {
                    failures.Enqueue($"level {level} above any capacity set");
                }
            }
        });

        limits.Start();
        acquirers.Start();
        start.SignalAndWait();
        Assert.True(limits.Join(TimeSpan.FromMinutes(5)) && acquirers.Join(TimeSpan.FromMinutes(5)), "the threads never finished");
        Assert.Empty(failures);

        bucket.SetLimits(10, 1); // still live
        bucket.Dispose();
        foreach (var wait in waits)
        {
            var outcome = await Record.ExceptionAsync(() => wait.WaitAsync(TimeSpan.FromMinutes(1)));
            Assert.True(outcome is null or ObjectDisposedException or ArgumentOutOfRangeException, $"a waiter ended with {outcome}");
        }
    }
}
