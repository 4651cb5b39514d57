namespace FastBucket.Quotas;

/// <summary>
/// A request's cost, reserved on every dimension of an <see cref="LlmQuota"/>. End it exactly once: with
/// <see cref="Complete"/> when the provider reported usage, <see cref="Cancel"/> when the request was never sent,
/// or <see cref="Dispose"/> otherwise (the charge is kept: the request may have reached the provider). Later
/// calls do nothing.
/// </summary>
public sealed class QuotaReservation : IDisposable
{
    private readonly IQuotaReservationOwner _owner;
    private int _ended;

    internal QuotaReservation(ILlmQuota quota, IQuotaReservationOwner owner, RequestCost cost)
    {
        Quota = quota;
        _owner = owner;
        Cost = cost;
    }

    /// <summary>The quota this reservation holds capacity of.</summary>
    public ILlmQuota Quota { get; }

    /// <summary>What was reserved.</summary>
    public RequestCost Cost { get; }

    /// <summary>What the quota knew when it granted this reservation, or <see langword="null"/> when the quota keeps no marks.</summary>
    internal ReservationMark? Mark { get; init; }

    /// <summary>Who keeps this reservation's charges.</summary>
    internal IQuotaReservationOwner Owner => _owner;

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

        _owner.Adjust(QuotaDimension.TokensPerMinute, Cost.TokensPerMinuteSettled(actual) - Cost.TokensPerMinuteCharge);
        _owner.Adjust(QuotaDimension.TokensPerDay, actual.TotalTokens - Cost.TotalTokens);
        _owner.Adjust(QuotaDimension.InputTokensPerMinute, actual.InputTokens - Cost.InputTokens);
        _owner.Adjust(QuotaDimension.OutputTokensPerMinute, actual.OutputTokens - Cost.OutputTokens);
        _owner.Release(Cost);
    }

    /// <summary>
    /// The provider answered with an error (a 429 included): the request charges are kept, as providers count rejected
    /// requests against their request limits (OpenAI: "unsuccessful requests contribute to your per-minute limit"), and
    /// every token charge is given back, whatever <see cref="RequestCost.TokensPerMinute"/> keeps of a request that ran.
    /// Frees the slot.
    /// </summary>
    public void CompleteRejected()
    {
        if (!TryEnd())
        {
            return;
        }

        GiveBackTokens();
        _owner.Release(Cost);
    }

    /// <summary>The request was not sent: gives back everything reserved on every dimension and frees the slot.</summary>
    public void Cancel()
    {
        if (!TryEnd())
        {
            return;
        }

        _owner.Adjust(QuotaDimension.RequestsPerMinute, -Cost.Requests);
        _owner.Adjust(QuotaDimension.RequestsPerDay, -Cost.Requests);
        GiveBackTokens();
        _owner.Release(Cost);
    }

    /// <summary>Ends the reservation keeping the whole charge (conservative: the request may have been counted) and frees the slot.</summary>
    public void Dispose()
    {
        if (TryEnd())
        {
            _owner.Release(Cost);
        }
    }

    /// <summary>Gives back every token charge this reservation made, on every dimension.</summary>
    private void GiveBackTokens()
    {
        _owner.Adjust(QuotaDimension.TokensPerMinute, -Cost.TokensPerMinuteCharge);
        _owner.Adjust(QuotaDimension.TokensPerDay, -Cost.TotalTokens);
        _owner.Adjust(QuotaDimension.InputTokensPerMinute, -Cost.InputTokens);
        _owner.Adjust(QuotaDimension.OutputTokensPerMinute, -Cost.OutputTokens);
    }

    private bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;
}
