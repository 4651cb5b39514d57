using System.Globalization;
using FastBucket.Quotas;
using StackExchange.Redis;

namespace FastBucket.Redis;

/// <summary>What <see cref="RedisQuotaScript"/> answered, by name (<see cref="Names"/> is the reply's order, written into the script).</summary>
internal sealed record RedisQuotaReply
{
    /// <summary>The reply's field names, in order.</summary>
    internal static readonly string[] Names = ["status", "detail", "now", "epoch", "levels", "limits", "learned", "reserved", "lowered", "leases", "holdleft", "code", "probed"];

    /// <summary>One of the script's statuses (<see cref="RedisQuotaScript.Granted"/>...).</summary>
    internal long Status { get; init; }

    /// <summary>Refused: the wait in µs; exhausted: the µs until it resets; too large: the dimension.</summary>
    internal long Detail { get; init; }

    /// <summary>The server's time when the script ran, in whole µs since the epoch.</summary>
    internal long NowMicroseconds { get; init; }

    /// <summary>The hash's generation (its creation time): counters of another generation are not comparable.</summary>
    internal long Epoch { get; init; }

    /// <summary>The level per rate dimension after the call (0 where not limited).</summary>
    internal required long[] Levels { get; init; }

    /// <summary>The limits in force per dimension (learned over configured); 0 for none.</summary>
    internal required long[] Limits { get; init; }

    /// <summary>The limits a provider reported, per dimension; 0 for none.</summary>
    internal required long[] Learned { get; init; }

    /// <summary>Everything ever reserved per dimension.</summary>
    internal required long[] ReservedTotals { get; init; }

    /// <summary>Everything ever lowered on evidence per dimension.</summary>
    internal required long[] LoweredTotals { get; init; }

    /// <summary>Concurrency leases held, by every process.</summary>
    internal long LeasesHeld { get; init; }

    /// <summary>How long the quota is still held closed, in µs.</summary>
    internal long HoldLeftMicroseconds { get; init; }

    /// <summary>Granted as the probe of assumed limits (see <see cref="RedisQuotaCall.Probe"/>): its release frees the next probe.</summary>
    internal bool Probed { get; init; }

    /// <summary>The exhaustion's code, or empty.</summary>
    internal string Code { get; init; } = string.Empty;

    /// <summary>The mark of the reservation this answer granted: the shared levels and counters right after it, for <see cref="QuotaPolicy"/>'s evidence rule.</summary>
    internal ReservationMark Mark(long grantTimestamp)
    {
        var mark = new ReservationMark(Levels.Length, grantTimestamp) { Epoch = Epoch };
        for (int d = 0; d < Levels.Length; d++)
        {
            mark.Level(d) = Levels[d];
            mark.ReservedTotal(d) = ReservedTotals[d];
            mark.Lowered(d) = LoweredTotals[d];
        }

        return mark;
    }

    internal static RedisQuotaReply Parse(RedisResult result)
    {
        var items = (RedisResult[])result!;
        if (items.Length != Names.Length)
        {
            throw new InvalidOperationException($"The quota script answered {items.Length} values, not {Names.Length}: another version of the script is loaded under its hash.");
        }

        return new RedisQuotaReply
        {
            Status = (long)items[0],
            Detail = (long)items[1],
            NowMicroseconds = long.Parse((string)items[2]!, CultureInfo.InvariantCulture),
            Epoch = long.Parse((string)items[3]!, CultureInfo.InvariantCulture),
            Levels = Vector(items[4]),
            Limits = Vector(items[5]),
            Learned = Vector(items[6]),
            ReservedTotals = Vector(items[7]),
            LoweredTotals = Vector(items[8]),
            LeasesHeld = (long)items[9],
            HoldLeftMicroseconds = (long)items[10],
            Code = (string?)items[11] ?? string.Empty,
            Probed = (long)items[12] == 1,
        };
    }

    private static long[] Vector(RedisResult item) =>
        [.. ((string)item!).Split(',').Select(v => long.Parse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))];
}
