using System.Diagnostics;

namespace FastBucket.Tests.Buckets;

/// <summary>Real clock, real threads: the law under contention. Bounds are generous; no speed is asserted.</summary>
public sealed class TokenBucketStressTests
{
    [Fact]
    public void TryAcquire_ThreadsInTightLoopsForASecond_GrantWithinLawAndNearIt()
    {
        const long capacity = 20_000; // 100 ms of refill: a thread preempted briefly loses nothing
        const double rate = 200_000;
        int threads = Math.Max(4, Environment.ProcessorCount * 2);
        using var bucket = new TokenBucket(capacity, rate);
        long created = Stopwatch.GetTimestamp();
        long granted = AcquireInTightLoops(bucket, threads, deadline: created + Stopwatch.Frequency); // about a second
        long ended = Stopwatch.GetTimestamp();

        double upper = capacity + rate * (ended - created) / Stopwatch.Frequency;
        Assert.True(granted <= upper, $"granted {granted} > capacity + rate x elapsed = {upper:F0}");
        Assert.True(granted > 0, "no thread was granted anything");
    }

    /// <summary>
    /// Near the law without asking the scheduler for luck: a bucket that cannot overflow in the test's time (empty at
    /// start, a capacity of hours) must account for every token its clock refilled, granted or still there, however
    /// the threads were preempted. A CAS that lost or duplicated tokens under contention breaks the equality.
    /// </summary>
    [Fact]
    public void TryAcquire_ThreadsInTightLoops_GrantedPlusLeftEqualsRefilled()
    {
        const double rate = 200_000;
        int threads = Math.Max(4, Environment.ProcessorCount * 2);
        long beforeCreate = Stopwatch.GetTimestamp();
        using var bucket = new TokenBucket(capacity: 1L << 40, rate, timeProvider: null, initialTokens: 0);
        long afterCreate = Stopwatch.GetTimestamp();
        long granted = AcquireInTightLoops(bucket, threads, deadline: afterCreate + Stopwatch.Frequency / 2);

        long beforeRead = Stopwatch.GetTimestamp();
        long left = bucket.Available;
        long afterRead = Stopwatch.GetTimestamp();
        double least = rate * (beforeRead - afterCreate) / Stopwatch.Frequency;
        double most = rate * (afterRead - beforeCreate) / Stopwatch.Frequency;
        long accounted = granted + left;
        // One token of slack each way: Available rounds the level down to whole tokens.
        Assert.True(accounted >= least - 1, $"granted {granted} + left {left} = {accounted} < refilled at least {least:F0}: tokens lost");
        Assert.True(accounted <= most + 1, $"granted {granted} + left {left} = {accounted} > refilled at most {most:F0}: tokens created");
    }

    [Fact]
    public void SetLimits_WhileThreadsAcquire_NeverGrantsAboveTheLargestLimits()
    {
        using var bucket = new TokenBucket(100, 10_000);
        long created = Stopwatch.GetTimestamp();
        long stopAt = created + Stopwatch.Frequency / 2;
        long granted = 0;
        var workers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            long mine = 0;

            // At least one try whatever the deadline: a thread the loaded machine started late still meets a
            // bucket holding at least one token (SetLimits never clamps the level below a capacity of 1).
            do
            {
                if (bucket.TryAcquire())
                {
                    mine++;
                }
            }
            while (Stopwatch.GetTimestamp() < stopAt);

            Interlocked.Add(ref granted, mine);
        })).ToList();
        workers.ForEach(w => w.Start());
        var random = new Random(7);
        int changes = 0;
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            bucket.SetLimits(random.Next(1, 101), random.Next(1_000, 10_001));
            changes++;
            Thread.Yield();
        }

        workers.ForEach(w => w.Join());
        double seconds = (double)(Stopwatch.GetTimestamp() - created) / Stopwatch.Frequency;
        Assert.True(granted <= 100 + 10_000 * seconds, $"granted {granted} in {seconds:F3}s, above 100 + 10,000/s x elapsed");
        Assert.True(granted > 0, $"nothing granted in {seconds:F3}s across {changes} limit changes");
        Assert.True(changes > 0);
    }

    /// <summary>Threads released together, each taking 1 to 3 tokens in a loop until the deadline; the tokens granted.</summary>
    private static long AcquireInTightLoops(TokenBucket bucket, int threads, long deadline)
    {
        long granted = 0;
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            long mine = 0;
            var random = new Random(i);
            start.SignalAndWait();

            // At least one try whatever the deadline, so that a thread the loaded machine started late still
            // meets a full bucket and "granted something" does not rest on scheduling.
            do
            {
                long n = random.Next(1, 4);
                if (bucket.TryAcquire(n))
                {
                    mine += n;
                }
            }
            while (Stopwatch.GetTimestamp() < deadline);

            Interlocked.Add(ref granted, mine);
        })).ToList();
        workers.ForEach(w => w.Start());
        start.SignalAndWait();
        workers.ForEach(w => w.Join());
        return Interlocked.Read(ref granted);
    }
}
