using FastBucket.Quotas;

namespace FastBucket.Redis;

/// <summary>One <see cref="RedisQuota.ReserveAsync"/> call waiting in this process's FIFO queue.</summary>
internal sealed class RedisQuotaWaiter
{
    private readonly TaskCompletionSource<QuotaReservation> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal RedisQuotaWaiter(RequestCost cost) => Cost = cost;

    internal RequestCost Cost { get; }

    internal LinkedListNode<RedisQuotaWaiter>? Node { get; set; }

    internal CancellationTokenRegistration Registration { get; set; }

    internal Task<QuotaReservation> Task => _completion.Task;

    internal bool TrySetResult(QuotaReservation reservation) => _completion.TrySetResult(reservation);

    internal bool TrySetException(Exception error) => _completion.TrySetException(error);

    internal bool TrySetCanceled(CancellationToken token) => _completion.TrySetCanceled(token);
}
