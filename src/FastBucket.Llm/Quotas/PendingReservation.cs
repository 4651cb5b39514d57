namespace FastBucket.Quotas;

/// <summary>
/// A reservation waiting in an <see cref="LlmQuota"/>'s queue: its cost, and the charges the grant fills in when it
/// takes the cost for it (on the thread that drains the queue, before the waiter resumes).
/// </summary>
internal readonly record struct PendingReservation(RequestCost Cost, ReservationCharges Charges);
