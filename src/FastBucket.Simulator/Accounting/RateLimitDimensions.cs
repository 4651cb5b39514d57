using System.Collections.Immutable;

namespace FastBucket.Simulator.Accounting;

/// <summary>Facts about each <see cref="RateLimitDimension"/>: its window and its short name.</summary>
internal static class RateLimitDimensions
{
    public static ImmutableArray<RateLimitDimension> All { get; } =
    [
        RateLimitDimension.RequestsPerMinute,
        RateLimitDimension.TokensPerMinute,
        RateLimitDimension.InputTokensPerMinute,
        RateLimitDimension.OutputTokensPerMinute,
        RateLimitDimension.RequestsPerDay,
        RateLimitDimension.TokensPerDay,
    ];

    public static TimeSpan Window(RateLimitDimension dimension) => dimension switch
    {
        RateLimitDimension.RequestsPerDay or RateLimitDimension.TokensPerDay => TimeSpan.FromDays(1),
        _ => TimeSpan.FromMinutes(1),
    };

    public static bool CountsRequests(RateLimitDimension dimension) =>
        dimension is RateLimitDimension.RequestsPerMinute or RateLimitDimension.RequestsPerDay;

    public static bool IsPerDay(RateLimitDimension dimension) =>
        dimension is RateLimitDimension.RequestsPerDay or RateLimitDimension.TokensPerDay;

    public static string ShortName(RateLimitDimension dimension) => dimension switch
    {
        RateLimitDimension.RequestsPerMinute => "rpm",
        RateLimitDimension.TokensPerMinute => "tpm",
        RateLimitDimension.InputTokensPerMinute => "itpm",
        RateLimitDimension.OutputTokensPerMinute => "otpm",
        RateLimitDimension.RequestsPerDay => "rpd",
        RateLimitDimension.TokensPerDay => "tpd",
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown rate-limit dimension."),
    };

    public static bool TryParseShortName(ReadOnlySpan<char> name, out RateLimitDimension dimension)
    {
        foreach (RateLimitDimension candidate in All)
        {
            if (name.Equals(ShortName(candidate), StringComparison.OrdinalIgnoreCase))
            {
                dimension = candidate;
                return true;
            }
        }

        dimension = default;
        return false;
    }
}
