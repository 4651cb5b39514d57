using System.Globalization;
using System.Threading.RateLimiting;

namespace FastBucket.RateLimiting;

/// <summary>
/// A <see cref="ReplenishingRateLimiter"/> over a <see cref="TokenBucket"/>, for code written against
/// System.Threading.RateLimiting (Polly's <c>AddRateLimiter</c>, ASP.NET Core rate limiting, HttpClient
/// resilience handlers). One permit is one token.
/// </summary>
/// <remarks>
/// <para><b>Grants</b> take one CAS on the bucket and return a shared lease: no allocation. <b>Refusals</b>
/// carry <see cref="MetadataName.RetryAfter"/> computed by the bucket (when the permits will be there, behind
/// any waiters), not a period estimate.</para>
/// <para><b>Waits</b> (<see cref="RateLimiter.AcquireAsync(int, CancellationToken)"/>) queue in the bucket's
/// FIFO, so a large request is not starved by small ones. When the bucket's queue limits
/// (<see cref="TokenBucketOptions.MaxQueuedWaiters"/>, <see cref="TokenBucketOptions.MaxQueuedTokens"/>) are
/// reached the acquire returns a refused lease with <see cref="MetadataName.RetryAfter"/> at once, as the runtime's
/// limiters do when their queue is full. A canceled wait throws <see cref="TaskCanceledException"/> carrying the
/// caller's token, as theirs does. Disposing the limiter completes its pending waits with refused leases; later
/// calls throw <see cref="ObjectDisposedException"/>.</para>
/// <para><b>Permit counts</b> follow the runtime's limiters: 0 is a probe (granted when at least one token is
/// there; a wait for 0 queues in line, counts for nothing against the queued-tokens limit, and completes once a
/// token is there, taking nothing), more than the bucket's capacity throws
/// <see cref="ArgumentOutOfRangeException"/>, negative throws.</para>
/// <para>Refill is continuous: <see cref="IsAutoReplenishing"/> is <see langword="true"/>, there is no timer,
/// <see cref="ReplenishmentPeriod"/> is <see cref="TimeSpan.Zero"/> and <see cref="TryReplenish"/> does nothing.</para>
/// </remarks>
public sealed class FastBucketRateLimiter : ReplenishingRateLimiter
{
    private static readonly RefusedLease s_disposedLease = new(null);

    private readonly bool _ownsBucket;

    // Canceled by Dispose: every pending wait of this limiter listens to it, so that disposing the limiter
    // ends its waits even on a bucket it does not own. Never disposed itself: it holds no timer, and a late
    // acquire racing with Dispose may still read its token.
    private readonly CancellationTokenSource _disposal = new();
    private long _successfulLeases;
    private long _failedLeases;
    private int _disposed;

    /// <summary>Creates a limiter over a new bucket built from <paramref name="options"/>; the limiter owns the bucket and disposes it.</summary>
    /// <param name="options">The bucket's capacity, rate, clock and queue limits.</param>
    public FastBucketRateLimiter(TokenBucketOptions options)
        : this(new TokenBucket(options), ownsBucket: true)
    {
    }

    /// <summary>Creates a limiter over an existing <paramref name="bucket"/>, which other code may use at the same time.</summary>
    /// <param name="bucket">The bucket; its tokens, waiters and limits are shared with every other user.</param>
    /// <param name="ownsBucket">
    /// <see langword="true"/> to dispose the bucket with this limiter; <see langword="false"/> (default) to leave
    /// it to its owner (disposing the limiter then ends only the waits made through it).
    /// </param>
    public FastBucketRateLimiter(TokenBucket bucket, bool ownsBucket = false)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        Bucket = bucket;
        _ownsBucket = ownsBucket;
    }

    /// <summary>The bucket this limiter takes its permits from.</summary>
    public TokenBucket Bucket { get; }

    /// <summary>
    /// How long the bucket has been full with nobody waiting, exactly (read off the bucket's state, not sampled);
    /// <see langword="null"/> while tokens are missing, while anyone waits, or once disposed.
    /// </summary>
    public override TimeSpan? IdleDuration => Volatile.Read(ref _disposed) != 0 ? null : Bucket.IdleDuration;

    /// <summary>Always <see langword="true"/>: the bucket refills continuously, with no timer to drive.</summary>
    public override bool IsAutoReplenishing => true;

    /// <summary><see cref="TimeSpan.Zero"/>: refill is continuous, not in periods (the rate is <see cref="TokenBucket.TokensPerSecond"/>).</summary>
    public override TimeSpan ReplenishmentPeriod => TimeSpan.Zero;

    /// <summary>Does nothing and returns <see langword="false"/>: refill is continuous.</summary>
    /// <returns><see langword="false"/>.</returns>
    public override bool TryReplenish() => false;

    /// <summary>
    /// The bucket's level (rounded down; 0 while in debt) and queued tokens, and the leases this limiter has
    /// granted and refused.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The limiter was disposed.</exception>
    public override RateLimiterStatistics? GetStatistics()
    {
        ThrowIfDisposed();
        return new RateLimiterStatistics
        {
            CurrentAvailablePermits = Math.Max(0, Bucket.Available),
            CurrentQueuedCount = Bucket.QueuedTokens,
            TotalSuccessfulLeases = Volatile.Read(ref _successfulLeases),
            TotalFailedLeases = Volatile.Read(ref _failedLeases),
        };
    }

    /// <inheritdoc/>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ThrowIfDisposed();
        ThrowIfAboveCapacity(permitCount);
        if (permitCount == 0)
        {
            return Bucket.Available >= 1 ? Granted() : Refused(AtLeastATick(Bucket.TimeUntil(1)));
        }

        return Bucket.TryAcquire(permitCount, out var retryAfter) ? Granted() : Refused(retryAfter);
    }

    /// <inheritdoc/>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        ThrowIfAboveCapacity(permitCount);
        if (permitCount == 0 ? Bucket.Available >= 1 : Bucket.TryAcquire(permitCount))
        {
            return new ValueTask<RateLimitLease>(Granted());
        }

        // A probe (0 permits) waits in line for one token to be there and takes nothing; like the runtime's, it
        // counts for nothing against the queued-permits limit or in CurrentQueuedCount.
        bool probe = permitCount == 0;
        if (Bucket.IsQueueFullFor(permitCount))
        {
            // Answered here rather than through QueueLimitExceededException: under overload every acquire
            // ends this way, and the exception would cost it some 50 times more than the refusal itself.
            return new ValueTask<RateLimitLease>(RefuseForFullQueue(permitCount));
        }

        var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposal.Token) : null;
        ValueTask wait;
        try
        {
            // Called here rather than in the async method so that ObjectDisposedException (the bucket is
            // gone) reaches the caller synchronously, as from the runtime's limiters.
            var token = linked?.Token ?? _disposal.Token;
            wait = probe ? Bucket.WaitForOneTokenAsync(token) : Bucket.AcquireAsync(permitCount, token);
        }
        catch
        {
            linked?.Dispose();
            throw;
        }

        if (wait.IsCompletedSuccessfully)
        {
            wait.GetAwaiter().GetResult();
            linked?.Dispose();
            return new ValueTask<RateLimitLease>(Granted());
        }

        return AwaitLeaseAsync(wait, linked, permitCount, cancellationToken);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (!disposing || Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Ends this limiter's waits first (each completes with a refused lease), then the bucket if owned.
        _disposal.Cancel();
        if (_ownsBucket)
        {
            Bucket.Dispose();
        }
    }

    /// <inheritdoc/>
    protected override ValueTask DisposeAsyncCore()
    {
        Dispose(true);
        return ValueTask.CompletedTask;
    }

    private async ValueTask<RateLimitLease> AwaitLeaseAsync(ValueTask wait, CancellationTokenSource? linked, int permitCount, CancellationToken cancellationToken)
    {
        try
        {
            await wait.ConfigureAwait(false);
        }
        catch (QueueLimitExceededException)
        {
            // The queue filled up between the check in AcquireAsyncCore and the enqueue.
            return RefuseForFullQueue(permitCount);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // As the runtime's limiters (their queued wait is a TaskCompletionSource canceled with the caller's
            // token): TaskCanceledException carrying the caller's token, not the linked one.
            throw new TaskCanceledException("The rate limiter acquire was canceled.", null, cancellationToken);
        }
        catch (OperationCanceledException) when (_disposal.IsCancellationRequested)
        {
            return s_disposedLease; // as the runtime's limiters complete their queue on Dispose
        }
        catch (ObjectDisposedException) when (Volatile.Read(ref _disposed) != 0)
        {
            return s_disposedLease;
        }
        finally
        {
            linked?.Dispose();
        }

        return Granted();
    }

    /// <summary>The answer to an acquire the wait queue cannot take.</summary>
    private RateLimitLease RefuseForFullQueue(int permitCount)
    {
        // If the permits happen to be there now and nobody waits, take them: the caller asked for a wait, and
        // a grant is the better answer than "retry after zero".
        if (permitCount == 0)
        {
            return Bucket.Available >= 1 ? Granted() : Refused(AtLeastATick(Bucket.TimeUntil(1)));
        }

        return Bucket.TryAcquire(permitCount, out var retryAfter) ? Granted() : Refused(retryAfter);
    }

    private GrantedLease Granted()
    {
        Interlocked.Increment(ref _successfulLeases);
        return GrantedLease.Instance;
    }

    private RefusedLease Refused(TimeSpan retryAfter)
    {
        Interlocked.Increment(ref _failedLeases);
        return new RefusedLease(retryAfter);
    }

    private static TimeSpan AtLeastATick(TimeSpan wait) => wait > TimeSpan.Zero ? wait : TimeSpan.FromTicks(1);

    private void ThrowIfAboveCapacity(int permitCount)
    {
        long capacity = Bucket.Capacity;
        if (permitCount > capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount,
                string.Create(CultureInfo.InvariantCulture, $"The permit count must be between 0 and the bucket's capacity, {capacity}; more could never be granted."));
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
