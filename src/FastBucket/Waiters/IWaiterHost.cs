namespace FastBucket.Waiters;

/// <summary>What a <see cref="WaiterQueue{TCost}"/> needs from the limiter it queues for.</summary>
/// <typeparam name="TCost">What one waiter asks for.</typeparam>
internal interface IWaiterHost<TCost>
{
    /// <summary>Takes <paramref name="cost"/> for the head waiter if it is there now; waiters already queued may take it (no barging check).</summary>
    bool TryGrantToWaiter(in TCost cost);

    /// <summary>How long until <paramref name="cost"/> could be granted, given no other demand; <see cref="Timeout.InfiniteTimeSpan"/> when only the host can tell (it then calls <c>Drain</c> itself).</summary>
    TimeSpan TimeUntilGrantable(in TCost cost);

    /// <summary>Called under the queue's lock when the first waiter is queued, or the last one leaves.</summary>
    void OnWaitersChanged(bool hasWaiters);

    /// <summary>
    /// Why <paramref name="cost"/> can never be granted under the limits now (it exceeds a capacity), or
    /// <see langword="null"/> if it can. Such a request is refused before it waits, and a waiter that becomes
    /// one (the limits shrank) fails with this error instead of blocking everyone behind it.
    /// </summary>
    Exception? WhyNeverGrantable(in TCost cost) => null;
}
