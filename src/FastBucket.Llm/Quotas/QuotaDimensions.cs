using FastBucket.Providers;

namespace FastBucket.Quotas;

/// <summary>
/// The dimension table: every limit a quota knows, once. The catalog, the command line, both quota stores and the
/// Redis script take the dimensions, their windows, their names and what a request costs on each from here.
/// </summary>
public static class QuotaDimensions
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private static readonly QuotaDimensionInfo[] Table =
    [
        new(QuotaDimension.RequestsPerMinute, Minute, "rpm", "Requests per minute.",
            static l => l.RequestsPerMinute, static (l, v) => l with { RequestsPerMinute = v }),
        new(QuotaDimension.TokensPerMinute, Minute, "tpm", "Tokens (input + output) per minute.",
            static l => l.TokensPerMinute, static (l, v) => l with { TokensPerMinute = v }),
        new(QuotaDimension.InputTokensPerMinute, Minute, "itpm", "Input tokens per minute (Anthropic counts them apart).",
            static l => l.InputTokensPerMinute, static (l, v) => l with { InputTokensPerMinute = v }),
        new(QuotaDimension.OutputTokensPerMinute, Minute, "otpm", "Output tokens per minute.",
            static l => l.OutputTokensPerMinute, static (l, v) => l with { OutputTokensPerMinute = v }),
        new(QuotaDimension.RequestsPerDay, Day, "rpd", "Requests per day.",
            static l => l.RequestsPerDay, static (l, v) => l with { RequestsPerDay = v }),
        new(QuotaDimension.TokensPerDay, Day, "tpd", "Tokens (input + output) per day.",
            static l => l.TokensPerDay, static (l, v) => l with { TokensPerDay = v }),
        new(QuotaDimension.Concurrency, null, "max_concurrency", "Requests in flight at once, at most.",
            static l => l.MaxConcurrency, static (l, v) => l with { MaxConcurrency = v is { } c ? checked((int)c) : null },
            cliName: "--concurrency"),
    ];

    /// <summary>How many rate dimensions there are: they are the first values of <see cref="QuotaDimension"/>, in order.</summary>
    public const int RateCount = 6;

    /// <summary>Every dimension, in <see cref="QuotaDimension"/> order: the rate dimensions, then the concurrency limit.</summary>
    public static IReadOnlyList<QuotaDimensionInfo> All => Table;

    /// <summary>The rate dimensions (every one but the concurrency limit), in <see cref="QuotaDimension"/> order.</summary>
    public static IReadOnlyList<QuotaDimensionInfo> Rate => RateRows;

    /// <summary><see cref="Rate"/> as an array, for loops on the reservation path (no enumerator).</summary>
    internal static readonly QuotaDimensionInfo[] RateRows = Table[..RateCount];

    /// <summary>The row of <paramref name="dimension"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is not a defined dimension.</exception>
    public static QuotaDimensionInfo Of(QuotaDimension dimension) =>
        (uint)dimension < (uint)Table.Length
            ? Table[(int)dimension]
            : throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"Not a quota dimension; expected one of {string.Join(", ", Table.Select(t => t.Dimension))}.");

    /// <summary>The requests dimension a provider's request counts land on: per day when it counts requests per day (Groq), else per minute.</summary>
    public static QuotaDimension Requests(RateLimitWindow? window) =>
        window == RateLimitWindow.Day ? QuotaDimension.RequestsPerDay : QuotaDimension.RequestsPerMinute;

    /// <summary>What <paramref name="cost"/> takes from <paramref name="dimension"/>; a switch, not a table look-up, because every reservation asks it for every dimension.</summary>
    internal static long CostOf(in RequestCost cost, QuotaDimension dimension) => dimension switch
    {
        QuotaDimension.RequestsPerMinute or QuotaDimension.RequestsPerDay => cost.Requests,
        QuotaDimension.TokensPerMinute => cost.TokensPerMinuteCharge,
        QuotaDimension.TokensPerDay => cost.TotalTokens,
        QuotaDimension.InputTokensPerMinute => cost.InputTokens,
        QuotaDimension.OutputTokensPerMinute => cost.OutputTokens,
        _ => 0,
    };

    internal static long? LimitOf(QuotaLimits limits, QuotaDimension dimension) => Of(dimension).LimitOf(limits);
}
