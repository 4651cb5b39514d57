using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastBucket.Quotas;

/// <summary>
/// What one <see cref="LlmQuota"/> reservation charged on each dimension's window: a ticket per window (a safe-shape
/// log names its charge by one, a calendar day by the instant of the charge), so that reconciling adjusts the charge
/// the reservation made and not another. One small object per reservation; the tickets are inline.
/// </summary>
internal sealed class ReservationCharges(LlmQuota quota) : IQuotaReservationOwner
{
    private TicketArray _tickets;

    /// <summary>The quota charged.</summary>
    public LlmQuota Quota => quota;

    /// <summary>The ticket of one dimension's charge.</summary>
    public ref long Ticket(QuotaDimension dimension) => ref _tickets[(int)dimension];

    /// <summary>Every dimension's ticket, for a take to fill in.</summary>
    public Span<long> Tickets => MemoryMarshal.CreateSpan(ref _tickets[0], LlmQuota.DimensionCount);

    /// <summary>Copies the tickets a take returned.</summary>
    public void Set(ReadOnlySpan<long> tickets) => tickets.CopyTo(_tickets);

    void IQuotaReservationOwner.Adjust(QuotaDimension dimension, long delta) => quota.Adjust(dimension, delta, _tickets[(int)dimension]);

    void IQuotaReservationOwner.Release(in RequestCost cost) => quota.Release(cost);

    [InlineArray(LlmQuota.DimensionCount)]
    private struct TicketArray
    {
        private long _first;
    }
}
