using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace FastBucket.Simulator.Faults;

/// <summary>
/// The probability of each fault per request, each from 0 to 1. The outcomes that replace the response
/// (500, 503, 529, connection reset, malformed JSON) exclude one another, so their rates must sum to at most 1;
/// a slow first byte and missing rate-limit headers are drawn independently.
/// </summary>
public sealed class FaultOptions
{
    /// <summary>Rate of HTTP 500.</summary>
    public double InternalServerErrorRate { get; set; }

    /// <summary>Rate of HTTP 503.</summary>
    public double ServiceUnavailableRate { get; set; }

    /// <summary>Rate of HTTP 529 <c>overloaded_error</c>; Anthropic requests only.</summary>
    public double OverloadedRate { get; set; }

    /// <summary>Rate of aborted connections.</summary>
    public double ConnectionResetRate { get; set; }

    /// <summary>Rate of an extra <see cref="SlowFirstByteDelay"/> before the first byte.</summary>
    public double SlowFirstByteRate { get; set; }

    /// <summary>The extra delay of a slow first byte; 2 seconds by default.</summary>
    public TimeSpan SlowFirstByteDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Rate of responses without rate-limit headers.</summary>
    public double MissingRateLimitHeadersRate { get; set; }

    /// <summary>Rate of 200 responses with malformed JSON.</summary>
    public double MalformedJsonRate { get; set; }

    /// <summary>Gets or sets the rate of one fault.</summary>
    /// <param name="kind">The fault.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined value.</exception>
    public double this[FaultKind kind]
    {
        get => kind switch
        {
            FaultKind.InternalServerError => InternalServerErrorRate,
            FaultKind.ServiceUnavailable => ServiceUnavailableRate,
            FaultKind.Overloaded => OverloadedRate,
            FaultKind.ConnectionReset => ConnectionResetRate,
            FaultKind.SlowFirstByte => SlowFirstByteRate,
            FaultKind.MissingRateLimitHeaders => MissingRateLimitHeadersRate,
            FaultKind.MalformedJson => MalformedJsonRate,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown fault."),
        };
        set
        {
            switch (kind)
            {
                case FaultKind.InternalServerError: InternalServerErrorRate = value; break;
                case FaultKind.ServiceUnavailable: ServiceUnavailableRate = value; break;
                case FaultKind.Overloaded: OverloadedRate = value; break;
                case FaultKind.ConnectionReset: ConnectionResetRate = value; break;
                case FaultKind.SlowFirstByte: SlowFirstByteRate = value; break;
                case FaultKind.MissingRateLimitHeaders: MissingRateLimitHeadersRate = value; break;
                case FaultKind.MalformedJson: MalformedJsonRate = value; break;
                default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown fault.");
            }
        }
    }

    /// <summary>
    /// Parses a compact form such as <c>500=0.01,503=0.02,529=0.01,reset=0.001,slow=0.05,noheaders=0.01,malformed=0.001</c>
    /// (names: 500, 503, 529, reset, slow, noheaders, malformed; <c>none</c> or an empty string for no faults).
    /// </summary>
    /// <param name="text">The text to parse.</param>
    /// <returns>The options, with the default slow first byte delay.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The text is not in the compact form or a rate is not from 0 to 1.</exception>
    public static FaultOptions Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out FaultOptions? options)
            ? options
            : throw new FormatException($"Faults '{text}' must be name=rate pairs (names: 500, 503, 529, reset, slow, noheaders, malformed; rates from 0 to 1).");
    }

    /// <summary>Parses the compact form (see <see cref="Parse"/>) without throwing.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="options">The options when the text is valid.</param>
    /// <returns>Whether the text is valid.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out FaultOptions? options)
    {
        options = null;
        if (text is null)
        {
            return false;
        }

        var parsed = new FaultOptions();
        string trimmed = text.Trim();
        if (trimmed.Length == 0 || trimmed.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            options = parsed;
            return true;
        }

        foreach (string part in trimmed.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] pair = part.Split('=', StringSplitOptions.TrimEntries);
            if (pair.Length != 2
                || !TryParseName(pair[0], out FaultKind kind)
                || !double.TryParse(pair[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double rate)
                || rate is < 0 or > 1)
            {
                return false;
            }

            parsed[kind] = rate;
        }

        options = parsed;
        return true;
    }

    private static bool TryParseName(string name, out FaultKind kind)
    {
        (bool known, kind) = name.ToUpperInvariant() switch
        {
            "500" => (true, FaultKind.InternalServerError),
            "503" => (true, FaultKind.ServiceUnavailable),
            "529" => (true, FaultKind.Overloaded),
            "RESET" => (true, FaultKind.ConnectionReset),
            "SLOW" => (true, FaultKind.SlowFirstByte),
            "NOHEADERS" => (true, FaultKind.MissingRateLimitHeaders),
            "MALFORMED" => (true, FaultKind.MalformedJson),
            _ => (false, default(FaultKind)),
        };
        return known;
    }

    internal double ExclusiveRateSum =>
        InternalServerErrorRate + ServiceUnavailableRate + OverloadedRate + ConnectionResetRate + MalformedJsonRate;

    internal void Validate()
    {
        foreach (FaultKind kind in Enum.GetValues<FaultKind>())
        {
            double rate = this[kind];
            if (!double.IsFinite(rate) || rate < 0 || rate > 1)
            {
                throw new ArgumentOutOfRangeException($"Faults.{kind}Rate", rate, $"Faults.{kind}Rate must be from 0 to 1.");
            }
        }

        if (ExclusiveRateSum > 1 + 1e-12)
        {
            throw new ArgumentOutOfRangeException(
                "Faults",
                ExclusiveRateSum,
                "The rates of 500, 503, 529, connection reset and malformed JSON exclude one another and must sum to at most 1.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(SlowFirstByteDelay, TimeSpan.Zero, "Faults.SlowFirstByteDelay");
    }

    internal FaultOptions Copy() => (FaultOptions)MemberwiseClone();
}
