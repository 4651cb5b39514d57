namespace FastBucket.Quotas.Windows;

/// <summary>A per-day dimension counted over calendar days (<see cref="CalendarDayCounter"/>); a ticket is the instant of the charge, in UTC ticks.</summary>
internal sealed class CalendarWindow(long limit, TimeZoneInfo zone, TimeProvider timeProvider) : QuotaWindow
{
    private readonly TimeProvider _time = timeProvider;

    /// <summary>The counter itself.</summary>
    public CalendarDayCounter Counter { get; } = new(limit, zone, timeProvider);

    public override long Limit => Counter.Limit;

    public override long Capacity => Counter.Limit;

    public override long Available => Counter.Available;

    public override double TokensPerSecond => 0;

    public override DateTimeOffset? NextReset => Counter.NextReset;

    public override bool TryTake(long amount, out long ticket)
    {
        ticket = _time.GetUtcNow().UtcTicks;
        return Counter.TryTake(amount);
    }

    public override void Adjust(long ticket, long delta)
    {
        if (ticket >= 0 && ticket <= DateTimeOffset.MaxValue.UtcTicks)
        {
            Counter.Adjust(delta, new DateTimeOffset(ticket, TimeSpan.Zero));
        }
    }

    public override void Charge(long amount, TimeSpan? freesAfter = null) => Counter.Charge(amount);

    public override void ReduceAvailableTo(long remaining, TimeSpan? freesAfter = null) => Counter.ReduceAvailableTo(remaining);

    public override TimeSpan TimeUntil(long amount) => Counter.TimeUntil(amount);

    public override void SetLimit(long limit) => Counter.SetLimit(limit);

    public override void Exhaust() => Counter.ExhaustToday();

    public override string ToString() => Counter.ToString();
}
