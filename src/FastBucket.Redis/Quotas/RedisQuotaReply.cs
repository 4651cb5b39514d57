using System.Globalization;
using StackExchange.Redis;

namespace FastBucket.Redis;

/// <summary>What <see cref="RedisQuotaScript"/> answered (see its reply layout).</summary>
internal sealed class RedisQuotaReply
{
    internal const int DimensionCount = 6;

    private RedisQuotaReply(long status, long detail, double nowMicroseconds, long[] levels, long[] limits, long[] learned, long leasesHeld, long holdLeftMicroseconds, string code)
    {
        Status = status;
        Detail = detail;
        NowMicroseconds = nowMicroseconds;
        Levels = levels;
        Limits = limits;
        Learned = learned;
        LeasesHeld = leasesHeld;
        HoldLeftMicroseconds = holdLeftMicroseconds;
        Code = code;
    }

    internal long Status { get; }

    internal long Detail { get; }

    /// <summary>The server's time when the script ran.</summary>
    internal double NowMicroseconds { get; }

    internal long[] Levels { get; }

    /// <summary>Limits in force per dimension (learned over configured); 0 for none.</summary>
    internal long[] Limits { get; }

    internal long[] Learned { get; }

    internal long LeasesHeld { get; }

    internal long HoldLeftMicroseconds { get; }

    internal string Code { get; }

    internal static RedisQuotaReply Parse(RedisResult result)
    {
        var items = (RedisResult[])result!;
        var levels = new long[DimensionCount];
        var limits = new long[DimensionCount];
        var learned = new long[DimensionCount];
        for (int d = 0; d < DimensionCount; d++)
        {
            levels[d] = (long)items[3 + d];
            limits[d] = (long)items[9 + d];
            learned[d] = (long)items[15 + d];
        }

        return new RedisQuotaReply(
            (long)items[0],
            (long)items[1],
            double.Parse((string)items[2]!, NumberStyles.Float, CultureInfo.InvariantCulture),
            levels,
            limits,
            learned,
            (long)items[21],
            (long)items[22],
            (string?)items[23] ?? string.Empty);
    }
}
