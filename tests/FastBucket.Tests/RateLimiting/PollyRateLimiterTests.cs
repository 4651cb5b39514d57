using System.Threading.RateLimiting;
using FastBucket.RateLimiting;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.RateLimiting;

namespace FastBucket.Tests.RateLimiting;

/// <summary>The adapters where Polly users plug them in: <c>ResiliencePipelineBuilder.AddRateLimiter</c>.</summary>
public sealed class PollyRateLimiterTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(30);
    private static readonly ResiliencePropertyKey<string> Tenant = new("tenant");

    [Fact]
    public async Task AddRateLimiter_BurstSpentAndQueueFull_WaitsInLineThenRejectsWithTheExactRetryAfter()
    {
        var clock = new FakeTimeProvider();
        using var limiter = new FastBucketRateLimiter(new TokenBucketOptions
        {
            Capacity = 2,
            TokensPerPeriod = 10, // per second
            TimeProvider = clock,
            MaxQueuedWaiters = 1, // one call may wait; more are rejected at once
        });
        var pipeline = new ResiliencePipelineBuilder().AddRateLimiter(limiter).Build();
        int executed = 0;

        await pipeline.ExecuteAsync(_ => Run(ref executed));
        await pipeline.ExecuteAsync(_ => Run(ref executed));
        var waiting = pipeline.ExecuteAsync(_ => Run(ref executed)).AsTask();
        var rejected = await Assert.ThrowsAsync<RateLimiterRejectedException>(async () => await pipeline.ExecuteAsync(_ => Run(ref executed)));

        Assert.Equal(TimeSpan.FromMilliseconds(200), rejected.RetryAfter); // one token queued ahead, one for this call: 2 at 10/s
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        await waiting.WaitAsync(NoHang);
        Assert.Equal(3, Volatile.Read(ref executed));
    }

    [Fact]
    public async Task AddRateLimiter_WithAttemptAcquire_RejectsAtOnceAndReportsRetryAfterToOnRejected()
    {
        var clock = new FakeTimeProvider();
        using var limiter = new FastBucketRateLimiter(new TokenBucketOptions { Capacity = 2, TokensPerPeriod = 4, TimeProvider = clock });
        TimeSpan? reported = null;
        var pipeline = new ResiliencePipelineBuilder()
            .AddRateLimiter(new RateLimiterStrategyOptions
            {
                // Never wait: a refusal becomes a rejection at once.
                RateLimiter = _ => new ValueTask<RateLimitLease>(limiter.AttemptAcquire()),
                OnRejected = args =>
                {
                    reported = args.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null;
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        Assert.Equal(1, await pipeline.ExecuteAsync(_ => ValueTask.FromResult(1)));
        Assert.Equal(2, await pipeline.ExecuteAsync(_ => ValueTask.FromResult(2)));
        var rejected = await Assert.ThrowsAsync<RateLimiterRejectedException>(async () => await pipeline.ExecuteAsync(_ => ValueTask.FromResult(3)));

        Assert.Equal(TimeSpan.FromMilliseconds(250), rejected.RetryAfter);
        Assert.Equal(rejected.RetryAfter, reported);
        clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(4, await pipeline.ExecuteAsync(_ => ValueTask.FromResult(4)));
    }

    [Fact]
    public async Task AddRateLimiter_PartitionedByATenantInTheContext_LimitsEachTenantSeparately()
    {
        var clock = new FakeTimeProvider();
        using var limiter = FastBucketPartitionedRateLimiter.Create<ResilienceContext, string>(
            context => context.Properties.GetValue(Tenant, "anonymous"),
            tenant => new TokenBucketOptions { Capacity = 1, TokensPerPeriod = 1, MaxQueuedWaiters = 1 },
            clock);
        var pipeline = new ResiliencePipelineBuilder()
            .AddRateLimiter(new RateLimiterStrategyOptions
            {
                RateLimiter = args => limiter.AcquireAsync(args.Context, 1, args.Context.CancellationToken),
            })
            .Build();

        Assert.Equal("a", await Execute(pipeline, "a"));
        Assert.Equal("b", await Execute(pipeline, "b"));
        var waitingA = Execute(pipeline, "a").AsTask();
        var rejectedA = await Assert.ThrowsAsync<RateLimiterRejectedException>(async () => await Execute(pipeline, "a"));

        Assert.Equal(TimeSpan.FromSeconds(2), rejectedA.RetryAfter);
        Assert.False(waitingA.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("a", await waitingA.WaitAsync(NoHang));
    }

    [Fact]
    public async Task AddRateLimiter_CallerCancelsWhileWaiting_ThrowsOperationCanceledAndTheTokenStaysInTheBucket()
    {
        var clock = new FakeTimeProvider();
        using var limiter = new FastBucketRateLimiter(new TokenBucketOptions { Capacity = 1, TokensPerPeriod = 1, InitialTokens = 0, TimeProvider = clock });
        var pipeline = new ResiliencePipelineBuilder().AddRateLimiter(limiter).Build();
        using var cts = new CancellationTokenSource();
        int executed = 0;

        var waiting = pipeline.ExecuteAsync(_ => Run(ref executed), cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(NoHang));
        Assert.Equal(0, Volatile.Read(ref executed));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, limiter.Bucket.Available);
    }

    private static ValueTask Run(ref int executed)
    {
        Interlocked.Increment(ref executed);
        return ValueTask.CompletedTask;
    }

    private static async ValueTask<string> Execute(ResiliencePipeline pipeline, string tenant)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            context.Properties.Set(Tenant, tenant);
            return await pipeline.ExecuteAsync(static (_, state) => ValueTask.FromResult(state), context, tenant);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
