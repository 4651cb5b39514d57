using System.Diagnostics;

namespace FastBucket.Quotas.Congestion;

/// <summary>
/// Additive increase, multiplicative decrease of a rate, for a provider that does not report its limits: the rate
/// grows by one per success and halves once per congestion event, never below <see cref="MinRate"/> nor above a
/// known <see cref="Ceiling"/>.
/// </summary>
/// <remarks>
/// <para><b>One event, one halving.</b> A congestion event starts when a 429 arrives for a request sent after the
/// current event started. Every 429 for a request sent before that first 429 arrived belongs to the same event: those
/// requests were sent at the old rate before we could know, so halving again for each of them would punish one
/// overload many times (five concurrent 429s would take 16 to 1). Successes of requests sent before the event do not
/// grow the rate either: they say nothing about the new one.</para>
/// <para>Lock-free: the rate and the event's start (<see cref="CongestionEvent"/>) are two words changed by CAS.
/// Times are <see cref="TimeProvider.GetTimestamp"/> values of one clock.</para>
/// </remarks>
internal sealed class CongestionController
{
    private long _rate;
    private long _ceiling;
    private readonly CongestionEvent _event = new();

    /// <summary>Creates a controller starting at <paramref name="initialRate"/>.</summary>
    /// <param name="initialRate">The rate to start at: at least <paramref name="minRate"/>.</param>
    /// <param name="minRate">The floor of the decrease: at least 1.</param>
    /// <param name="ceiling">A known limit the rate never passes; <see langword="null"/> for none.</param>
    public CongestionController(long initialRate, long minRate = 1, long? ceiling = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialRate, minRate);
        if (ceiling is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ceiling), ceiling, "The ceiling must be at least 1, or null for none.");
        }

        MinRate = minRate;
        _ceiling = ceiling ?? long.MaxValue;
        _rate = Math.Min(initialRate, _ceiling);
    }

    /// <summary>The floor of the decrease.</summary>
    public long MinRate { get; }

    /// <summary>The rate now.</summary>
    public long Rate => Volatile.Read(ref _rate);

    /// <summary>Whether a congestion event has started since the controller was created.</summary>
    public bool HasCongested => _event.Start != long.MinValue;

    /// <summary>A known limit the rate never passes, or <see langword="null"/>.</summary>
    public long? Ceiling => Volatile.Read(ref _ceiling) is var c && c == long.MaxValue ? null : c;

    /// <summary>
    /// A 429 arrived at <paramref name="arrivedAt"/> for a request sent at <paramref name="sentAt"/>. Returns the
    /// halved rate when this starts a congestion event, or <see langword="null"/> when it belongs to the current one.
    /// </summary>
    public long? OnRateLimited(long sentAt, long arrivedAt)
    {
        if (!_event.TryStart(sentAt, arrivedAt))
        {
            return null;
        }

        long current, halved;
        do
        {
            current = Volatile.Read(ref _rate);
            halved = Math.Max(MinRate, current / 2);
        }
        while (Interlocked.CompareExchange(ref _rate, halved, current) != current);

        return halved;
    }

    /// <summary>
    /// A request sent at <paramref name="sentAt"/> succeeded: the rate grows by <paramref name="step"/> (not past the
    /// ceiling) unless the request was sent before the current congestion event or the rate is at its ceiling. Returns
    /// the new rate, or <see langword="null"/> when it did not change.
    /// </summary>
    /// <param name="sentAt">When the request was sent.</param>
    /// <param name="step">How much one success adds, in the rate's units: at least 1.</param>
    public long? OnSuccess(long sentAt, long step = 1)
    {
        Debug.Assert(step >= 1);
        if (sentAt < _event.Start)
        {
            return null;
        }

        long current, grown;
        do
        {
            current = Volatile.Read(ref _rate);
            long ceiling = Volatile.Read(ref _ceiling);
            if (current >= ceiling)
            {
                return null;
            }

            grown = current > ceiling - step ? ceiling : current + step;
        }
        while (Interlocked.CompareExchange(ref _rate, grown, current) != current);

        return grown;
    }

    /// <summary>
    /// Sets a known limit (Groq states its requests per minute only in its 429 message): the rate never passes it
    /// from now on, and drops to it at once if above.
    /// </summary>
    public void SetCeiling(long ceiling)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ceiling);
        Volatile.Write(ref _ceiling, Math.Max(ceiling, MinRate));
        long current;
        do
        {
            current = Volatile.Read(ref _rate);
            if (current <= ceiling)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _rate, Math.Max(MinRate, ceiling), current) != current);

        Debug.Assert(Rate <= Math.Max(MinRate, ceiling));
    }
}
