using System.Threading.RateLimiting;
using FastBucket.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Tests.RateLimiting;

/// <summary>
/// The runtime's <see cref="TokenBucketRateLimiter"/> or a <see cref="FastBucketRateLimiter"/> with the same
/// limits, so that one test body can state a promise of the RateLimiter contract and check it against both.
/// </summary>
/// <remarks>
/// Both refill one token per millisecond. The runtime limiter runs with manual replenishment, and its
/// <see cref="TokenBucketRateLimiter.TryReplenish"/> adds tokens for the real time elapsed since the last call;
/// ours reads a <see cref="FakeTimeProvider"/>. <see cref="RefillUntil"/> hides that difference: it refills
/// step by step until a condition holds, which is all a test may rely on.
/// </remarks>
public sealed class ComparedLimiter : IDisposable
{
    private static readonly TimeSpan OneToken = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan RefillBound = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider? _clock;

    private ComparedLimiter(RateLimiter limiter, FakeTimeProvider? clock)
    {
        Limiter = limiter;
        _clock = clock;
    }

    /// <summary>The limiter under test.</summary>
    public RateLimiter Limiter { get; }

    /// <summary>A full limiter of <paramref name="tokenLimit"/> tokens whose queue holds at most <paramref name="queueLimit"/> permits.</summary>
    public static ComparedLimiter Create(LimiterKind kind, int tokenLimit, int queueLimit)
    {
        if (kind == LimiterKind.Runtime)
        {
            return new ComparedLimiter(
                new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
                {
                    TokenLimit = tokenLimit,
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = OneToken,
                    QueueLimit = queueLimit,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    AutoReplenishment = false,
                }),
                null);
        }

        var clock = new FakeTimeProvider();
        return new ComparedLimiter(
            new FastBucketRateLimiter(new TokenBucketOptions
            {
                Capacity = tokenLimit,
                TokensPerPeriod = 1,
                RefillPeriod = OneToken,
                TimeProvider = clock,
                MaxQueuedTokens = queueLimit,
            }),
            clock);
    }

    /// <summary>Refills, a little at a time, until <paramref name="done"/> holds; fails the test if it never does.</summary>
    public void RefillUntil(Func<bool> done)
    {
        if (_clock is null)
        {
            var limiter = (TokenBucketRateLimiter)Limiter;
            bool reached = SpinWait.SpinUntil(
                () =>
                {
                    limiter.TryReplenish();
                    return done();
                },
                RefillBound);
            Assert.True(reached, "the runtime limiter never reached the condition");
            return;
        }

        var bucket = ((FastBucketRateLimiter)Limiter).Bucket;
        for (int step = 0; step < 100_000 && !done(); step++)
        {
            int queued = bucket.QueuedCount;
            _clock.Advance(OneToken / 4);
            if (bucket.QueuedCount < queued)
            {
                // A waiter was served: its lease reaches the caller from a thread-pool continuation.
                SpinWait.SpinUntil(done, RefillBound);
            }
        }

        Assert.True(done(), "the FastBucket limiter never reached the condition");
    }

    /// <summary>Takes every permit there is now, one at a time.</summary>
    public int Drain()
    {
        int taken = 0;
        while (true)
        {
            using var lease = Limiter.AttemptAcquire(1);
            if (!lease.IsAcquired)
            {
                return taken;
            }

            taken++;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Limiter.Dispose();
}
