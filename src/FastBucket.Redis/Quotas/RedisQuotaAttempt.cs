using FastBucket.Quotas;

namespace FastBucket.Redis;

/// <summary>One try to reserve: the reservation, or how long to wait before the next try (<see cref="Timeout.InfiniteTimeSpan"/>: until a release here).</summary>
internal readonly record struct RedisQuotaAttempt(QuotaReservation? Reservation, TimeSpan Wait);
