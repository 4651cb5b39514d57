using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace FastBucket.Simulator.Accounting;

/// <summary>
/// The limits of one (API key, model) account. A <see langword="null"/> dimension is not limited.
/// Each limit refills continuously at limit / window (60 s, or 86,400 s for the per-day ones) up to a
/// capacity of one window's worth, as Anthropic documents ("token bucket ... continuously replenished").
/// </summary>
/// <remarks>
/// Settable properties so that <c>Microsoft.Extensions.Configuration</c> can bind it; <see cref="Parse"/>
/// reads the compact command-line form <c>rpm=500,tpm=200000</c>.
/// </remarks>
public sealed class RateLimits
{
    /// <summary>Requests per minute (RPM).</summary>
    public long? RequestsPerMinute { get; set; }

    /// <summary>Tokens per minute (TPM).</summary>
    public long? TokensPerMinute { get; set; }

    /// <summary>Input tokens per minute (ITPM).</summary>
    public long? InputTokensPerMinute { get; set; }

    /// <summary>Output tokens per minute (OTPM).</summary>
    public long? OutputTokensPerMinute { get; set; }

    /// <summary>Requests per day (RPD).</summary>
    public long? RequestsPerDay { get; set; }

    /// <summary>Tokens per day (TPD).</summary>
    public long? TokensPerDay { get; set; }

    /// <summary>Whether no dimension is limited.</summary>
    public bool IsUnlimited => RateLimitDimensions.All.All(d => this[d] is null);

    /// <summary>Gets or sets the limit of one dimension; <see langword="null"/> means not limited.</summary>
    /// <param name="dimension">The dimension.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is not a defined value.</exception>
    public long? this[RateLimitDimension dimension]
    {
        get => dimension switch
        {
            RateLimitDimension.RequestsPerMinute => RequestsPerMinute,
            RateLimitDimension.TokensPerMinute => TokensPerMinute,
            RateLimitDimension.InputTokensPerMinute => InputTokensPerMinute,
            RateLimitDimension.OutputTokensPerMinute => OutputTokensPerMinute,
            RateLimitDimension.RequestsPerDay => RequestsPerDay,
            RateLimitDimension.TokensPerDay => TokensPerDay,
            _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown rate-limit dimension."),
        };
        set
        {
            switch (dimension)
            {
                case RateLimitDimension.RequestsPerMinute: RequestsPerMinute = value; break;
                case RateLimitDimension.TokensPerMinute: TokensPerMinute = value; break;
                case RateLimitDimension.InputTokensPerMinute: InputTokensPerMinute = value; break;
                case RateLimitDimension.OutputTokensPerMinute: OutputTokensPerMinute = value; break;
                case RateLimitDimension.RequestsPerDay: RequestsPerDay = value; break;
                case RateLimitDimension.TokensPerDay: TokensPerDay = value; break;
                default: throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown rate-limit dimension.");
            }
        }
    }

    /// <summary>A new instance with no dimension limited.</summary>
    public static RateLimits Unlimited() => new();

    /// <summary>
    /// Parses the compact form <c>rpm=500,tpm=200000</c> (names: rpm, tpm, itpm, otpm, rpd, tpd; case-insensitive;
    /// separated by commas or semicolons). An empty string or <c>none</c> means unlimited.
    /// </summary>
    /// <param name="text">The text to parse.</param>
    /// <returns>The limits.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The text is not in the compact form, or a limit is not a positive integer.</exception>
    public static RateLimits Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out RateLimits? limits, out string? error)
            ? limits
            : throw new FormatException(error);
    }

    /// <summary>Parses the compact form (see <see cref="Parse"/>) without throwing.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="limits">The limits when the text is valid.</param>
    /// <returns>Whether the text is valid.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out RateLimits? limits) =>
        TryParse(text, out limits, out _);

    private static bool TryParse(string? text, [NotNullWhen(true)] out RateLimits? limits, [NotNullWhen(false)] out string? error)
    {
        limits = null;
        if (text is null)
        {
            error = "Rate limits text is missing.";
            return false;
        }

        var parsed = new RateLimits();
        string trimmed = text.Trim();
        if (trimmed.Length == 0 || trimmed.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            limits = parsed;
            error = null;
            return true;
        }

        foreach (string part in trimmed.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error = $"Rate limit '{part}' is not of the form name=value (names: rpm, tpm, itpm, otpm, rpd, tpd).";
                return false;
            }

            ReadOnlySpan<char> name = part.AsSpan(0, equals).Trim();
            ReadOnlySpan<char> value = part.AsSpan(equals + 1).Trim();
            if (!RateLimitDimensions.TryParseShortName(name, out RateLimitDimension dimension))
            {
                error = $"Rate limit name '{name}' is unknown (names: rpm, tpm, itpm, otpm, rpd, tpd).";
                return false;
            }

            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long limit) || limit < 1)
            {
                error = $"Rate limit value '{value}' for {name} must be an integer from 1 to {long.MaxValue}.";
                return false;
            }

            parsed[dimension] = limit;
        }

        limits = parsed;
        error = null;
        return true;
    }

    /// <summary>The compact form, e.g. <c>rpm=500,tpm=200000</c>, or <c>none</c>.</summary>
    /// <returns>The compact form that <see cref="Parse"/> reads back.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (RateLimitDimension dimension in RateLimitDimensions.All)
        {
            if (this[dimension] is long limit)
            {
                if (text.Length > 0)
                {
                    text.Append(',');
                }

                text.Append(RateLimitDimensions.ShortName(dimension)).Append('=').Append(limit.ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.Length == 0 ? "none" : text.ToString();
    }

    internal RateLimits Copy()
    {
        var copy = new RateLimits();
        foreach (RateLimitDimension dimension in RateLimitDimensions.All)
        {
            copy[dimension] = this[dimension];
        }

        return copy;
    }
}
