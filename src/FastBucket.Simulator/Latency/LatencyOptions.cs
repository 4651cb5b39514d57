using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace FastBucket.Simulator.Latency;

/// <summary>
/// How long responses take: a delay before the first byte drawn from a distribution, and a pause between
/// streamed chunks. Draws come from the per-request random source, so a seed makes them repeatable.
/// </summary>
public sealed class LatencyOptions
{
    /// <summary>The distribution; <see cref="LatencyKind.None"/> by default.</summary>
    public LatencyKind Kind { get; set; } = LatencyKind.None;

    /// <summary>The delay of <see cref="LatencyKind.Fixed"/>.</summary>
    public TimeSpan Fixed { get; set; }

    /// <summary>The lower bound of <see cref="LatencyKind.Uniform"/>.</summary>
    public TimeSpan Minimum { get; set; }

    /// <summary>The upper bound of <see cref="LatencyKind.Uniform"/>, and the cap of <see cref="LatencyKind.LogNormal"/> when positive.</summary>
    public TimeSpan Maximum { get; set; }

    /// <summary>The median of <see cref="LatencyKind.LogNormal"/>.</summary>
    public TimeSpan Median { get; set; }

    /// <summary>The shape (standard deviation of the logarithm) of <see cref="LatencyKind.LogNormal"/>, 0 to 5.</summary>
    public double Sigma { get; set; } = 0.5;

    /// <summary>The pause before each streamed chunk after the first.</summary>
    public TimeSpan ChunkInterval { get; set; }

    /// <summary>
    /// Parses a compact form: <c>none</c>, <c>fixed:50ms</c>, <c>uniform:20ms-80ms</c>, <c>lognormal:200ms</c> or
    /// <c>lognormal:200ms,0.8</c> (median, sigma) or <c>lognormal:200ms,0.8,2s</c> (with a cap). Durations take
    /// the units ms or s. The result has no chunk interval.
    /// </summary>
    /// <param name="text">The text to parse.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The text is not in the compact form.</exception>
    public static LatencyOptions Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out LatencyOptions? options)
            ? options
            : throw new FormatException($"Latency '{text}' is not one of: none, fixed:50ms, uniform:20ms-80ms, lognormal:200ms[,sigma[,cap]].");
    }

    /// <summary>Parses the compact form (see <see cref="Parse"/>) without throwing.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="options">The options when the text is valid.</param>
    /// <returns>Whether the text is valid.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out LatencyOptions? options)
    {
        options = null;
        if (text is null)
        {
            return false;
        }

        string trimmed = text.Trim();
        if (trimmed.Equals("none", StringComparison.OrdinalIgnoreCase) || trimmed == "0")
        {
            options = new LatencyOptions();
            return true;
        }

        int colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        string kind = trimmed[..colon].Trim();
        string[] arguments = trimmed[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries);
        if (kind.Equals("fixed", StringComparison.OrdinalIgnoreCase) && arguments.Length == 1 && TryParseDuration(arguments[0], out TimeSpan fixedDelay))
        {
            options = new LatencyOptions { Kind = LatencyKind.Fixed, Fixed = fixedDelay };
            return true;
        }

        if (kind.Equals("uniform", StringComparison.OrdinalIgnoreCase) && arguments.Length == 1)
        {
            string[] bounds = arguments[0].Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length == 2 && TryParseDuration(bounds[0], out TimeSpan minimum) && TryParseDuration(bounds[1], out TimeSpan maximum) && minimum <= maximum)
            {
                options = new LatencyOptions { Kind = LatencyKind.Uniform, Minimum = minimum, Maximum = maximum };
                return true;
            }

            return false;
        }

        if (kind.Equals("lognormal", StringComparison.OrdinalIgnoreCase) && arguments.Length is >= 1 and <= 3 && TryParseDuration(arguments[0], out TimeSpan median))
        {
            var parsed = new LatencyOptions { Kind = LatencyKind.LogNormal, Median = median };
            if (arguments.Length >= 2)
            {
                if (!double.TryParse(arguments[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double sigma) || !double.IsFinite(sigma) || sigma < 0 || sigma > 5)
                {
                    return false;
                }

                parsed.Sigma = sigma;
            }

            if (arguments.Length == 3)
            {
                if (!TryParseDuration(arguments[2], out TimeSpan cap))
                {
                    return false;
                }

                parsed.Maximum = cap;
            }

            options = parsed;
            return true;
        }

        return false;
    }

    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        (string number, double scale) = text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (text[..^2], 1.0)
            : text.EndsWith('s') || text.EndsWith('S') ? (text[..^1], 1000.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
        {
            return false;
        }

        double milliseconds = value * scale;
        if (!double.IsFinite(milliseconds) || milliseconds > TimeSpan.FromDays(1).TotalMilliseconds)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Fixed, TimeSpan.Zero, "Latency.Fixed");
        ArgumentOutOfRangeException.ThrowIfLessThan(Minimum, TimeSpan.Zero, "Latency.Minimum");
        ArgumentOutOfRangeException.ThrowIfLessThan(Maximum, TimeSpan.Zero, "Latency.Maximum");
        ArgumentOutOfRangeException.ThrowIfLessThan(Median, TimeSpan.Zero, "Latency.Median");
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkInterval, TimeSpan.Zero, "Latency.ChunkInterval");
        if (!double.IsFinite(Sigma) || Sigma < 0 || Sigma > 5)
        {
            throw new ArgumentOutOfRangeException("Latency.Sigma", Sigma, "Latency.Sigma must be from 0 to 5.");
        }

        if (Kind == LatencyKind.Uniform && Minimum > Maximum)
        {
            throw new ArgumentOutOfRangeException("Latency.Minimum", Minimum, "Latency.Minimum must not exceed Latency.Maximum.");
        }

        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentOutOfRangeException("Latency.Kind", Kind, "Latency.Kind must be None, Fixed, Uniform or LogNormal.");
        }
    }

    internal LatencyOptions Copy() => (LatencyOptions)MemberwiseClone();
}
