namespace FastBucket.Quotas;

/// <summary>
/// A request's cost, reserved on every dimension of an <see cref="LlmQuota"/>. End it exactly once: with
/// <see cref="Complete"/> when the provider reported usage, <see cref="Cancel"/> when the request was never sent,
/// or <see cref="Dispose"/> otherwise (the charge is kept: the request may have reached the provider). Later
/// calls do nothing.
/// </summary>
public sealed class QuotaReservation : IDisposable
{
    private int _ended;

    internal QuotaReservation(LlmQuota quota, RequestCost cost)
    {
        Quota = quota;
        Cost = cost;
    }

    /// <summary>The quota this reservation holds capacity of.</summary>
    public LlmQuota Quota { get; }

    /// <summary>What was reserved.</summary>
    public RequestCost Cost { get; }

    /// <summary>Whether the reservation has ended (completed, canceled or disposed).</summary>
    public bool IsEnded => Volatile.Read(ref _ended) != 0;

    /// <summary>
    /// Reconciles every dimension with what the request really used: tokens reserved but not used are given back,
    /// tokens used beyond the reservation are charged as debt that the refill repays. Frees the concurrency slot.
    /// </summary>
    /// <param name="actual">Usage as the provider reported it.</param>
    /// <exception cref="ArgumentOutOfRangeException">A usage count is negative.</exception>
    public void Complete(TokenUsage actual)
    {
        if (actual.InputTokens < 0 || actual.OutputTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(actual), actual, "Token usage must be zero or positive.");
        }

        if (!TryEnd())
        {
            return;
        }

        Quota.Adjust(QuotaDimension.TokensPerMinute, actual.TotalTokens - Cost.TotalTokens);
        Quota.Adjust(QuotaDimension.TokensPerDay, actual.TotalTokens - Cost.TotalTokens);
        Quota.Adjust(QuotaDimension.InputTokensPerMinute, actual.InputTokens - Cost.InputTokens);
        Quota.Adjust(QuotaDimension.OutputTokensPerMinute, actual.OutputTokens - Cost.OutputTokens);
        Quota.Release(Cost);
    }

    /// <summary>The request was not sent: gives back everything reserved on every dimension and frees the slot.</summary>
    public void Cancel()
    {
        if (!TryEnd())
        {
            return;
        }

        Quota.Adjust(QuotaDimension.RequestsPerMinute, -Cost.Requests);
        Quota.Adjust(QuotaDimension.RequestsPerDay, -Cost.Requests);
        Quota.Adjust(QuotaDimension.TokensPerMinute, -Cost.TotalTokens);
        Quota.Adjust(QuotaDimension.TokensPerDay, -Cost.TotalTokens);
        Quota.Adjust(QuotaDimension.InputTokensPerMinute, -Cost.InputTokens);
        Quota.Adjust(QuotaDimension.OutputTokensPerMinute, -Cost.OutputTokens);
        Quota.Release(Cost);
    }

    /// <summary>Ends the reservation keeping the whole charge (conservative: the request may have been counted) and frees the slot.</summary>
    public void Dispose()
    {
        if (TryEnd())
        {
            Quota.Release(Cost);
        }
    }

    private bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;
}
