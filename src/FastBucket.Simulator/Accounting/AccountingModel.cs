using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace FastBucket.Simulator.Accounting;

/// <summary>
/// How the simulator counts against limits, as one provider documents it: per dimension, the enforcement
/// (token bucket, quantized, fixed windows, sliding log, calendar days), whether unused reservations go back and
/// whether refused requests are charged; what the token dimensions count; which signals are sent; prompt caching.
/// The named profiles (<see cref="Profile"/>) follow each provider's documentation; <see cref="Lenient"/> is the
/// simulator's original model, which agrees with FastBucket's own assumptions.
/// </summary>
/// <remarks>
/// The prompt is always counted by the simulator's own rule, independent of any client's estimator: about four
/// UTF-8 bytes per token (rounded up) per text, plus 4 tokens per message and 3 per conversation.
/// </remarks>
public sealed class AccountingModel
{
    private readonly Dictionary<RateLimitDimension, DimensionAccounting> _dimensions = RateLimitDimensions.All.ToDictionary(d => d, _ => new DimensionAccounting());

    /// <summary>The names <see cref="Profile"/> accepts.</summary>
    public static ImmutableArray<string> ProfileNames { get; } = ["lenient", "openai", "azure", "anthropic", "gemini", "openrouter-free", "groq"];

    /// <summary>The profile's name, or <c>custom</c>.</summary>
    public string Name { get; set; } = "custom";

    /// <summary>What TPM and TPD count at admission; each provider's own default unless set.</summary>
    public TokenCharge Tokens { get; set; } = TokenCharge.ProviderDefault;

    /// <summary>Which rate-limit headers responses carry; <see cref="RateLimitHeaderStyle.Full"/> by default.</summary>
    public RateLimitHeaderStyle Headers { get; set; } = RateLimitHeaderStyle.Full;

    /// <summary>
    /// Whether 429s carry a <c>retry-after</c> header (and Azure's <c>retry-after-ms</c>); on by default. OpenAI's 429s
    /// usually carry none: the wait is only in the message ("Please try again in 1.234s").
    /// </summary>
    public bool RetryAfterHeader { get; set; } = true;

    /// <summary>
    /// The longest wait a 429 states (header, message, RetryInfo); <see langword="null"/> (the default) for the true
    /// wait. Gemini states a short RetryInfo even when a per-day quota is exhausted ("Please retry in 40.6s" while the
    /// day resets at midnight Pacific), so its profile caps it at 60 s.
    /// </summary>
    public TimeSpan? RetryHintCap { get; set; }

    /// <summary>
    /// Anthropic prompt caching: a prefix ending in a <c>cache_control</c> block of at least
    /// <see cref="MinimumCacheableTokens"/> is written on first use and read for 5 minutes after each use; reads
    /// are reported as <c>cache_read_input_tokens</c> and not counted against ITPM ("cache_read_input_tokens no
    /// longer count towards your ITPM rate limit", https://docs.claude.com/en/api/rate-limits). Off by default.
    /// </summary>
    public bool PromptCaching { get; set; }

    /// <summary>The shortest cacheable prefix (1,024 tokens for Claude Sonnet and Opus, as documented).</summary>
    public int MinimumCacheableTokens { get; set; } = 1_024;

    /// <summary>How one dimension is enforced and charged.</summary>
    /// <param name="dimension">The dimension.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is not a defined value.</exception>
    /// <exception cref="ArgumentNullException">The value set is <see langword="null"/>.</exception>
    public DimensionAccounting this[RateLimitDimension dimension]
    {
        get => _dimensions.TryGetValue(dimension, out DimensionAccounting? accounting)
            ? accounting
            : throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown rate-limit dimension.");
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!_dimensions.ContainsKey(dimension))
            {
                throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown rate-limit dimension.");
            }

            _dimensions[dimension] = value;
        }
    }

    /// <summary>The simulator's original model: continuous token buckets, per-day limits refilled continuously,
    /// unused output refunded, refused requests free, full headers everywhere, retry-after on every 429.</summary>
    /// <returns>A new instance.</returns>
    public static AccountingModel Lenient() => new() { Name = "lenient" };

    /// <summary>
    /// OpenAI (https://platform.openai.com/docs/guides/rate-limits): the token charge is "the maximum of max_tokens
    /// and the estimated number of tokens based on the character count of your request", kept (no refund is
    /// documented); limits are quantized ("60,000 requests/minute may be enforced as 1,000 requests/second"): a
    /// bucket of one second's worth on top of the minute's; "unsuccessful requests contribute to your per-minute
    /// limit", read as a 429 costing a request (RPM, RPD; the harsher reading that it also costs its tokens is
    /// available as <c>tpm=quantized:1s+keep+refused</c>); full x-ratelimit-* headers; 429s carry "Please try again in 1.234s" and no Retry-After.
    /// </summary>
    /// <returns>A new instance.</returns>
    public static AccountingModel OpenAI()
    {
        var model = new AccountingModel { Name = "openai", Tokens = TokenCharge.MaxOfInputAndMaxOutput, RetryAfterHeader = false };
        model[RateLimitDimension.RequestsPerMinute] = new DimensionAccounting { Enforcement = EnforcementKind.Quantized, Period = TimeSpan.FromSeconds(1), Settlement = ChargeSettlement.KeepAdmissionCharge, ChargeRefused = true };
        model[RateLimitDimension.TokensPerMinute] = new DimensionAccounting { Enforcement = EnforcementKind.Quantized, Period = TimeSpan.FromSeconds(1), Settlement = ChargeSettlement.KeepAdmissionCharge };
        model[RateLimitDimension.RequestsPerDay] = new DimensionAccounting { Settlement = ChargeSettlement.KeepAdmissionCharge, ChargeRefused = true };
        model[RateLimitDimension.TokensPerDay] = new DimensionAccounting { Settlement = ChargeSettlement.KeepAdmissionCharge };
        return model;
    }

    /// <summary>
    /// Azure OpenAI (https://learn.microsoft.com/azure/ai-foundry/openai/how-to/quota): TPM counted from "an
    /// estimated max processed-token count" (prompt plus max_tokens) when the request arrives, kept; RPM
    /// "evaluated over a small period of time, typically 1 or 10 seconds": fixed 10 s windows of RPM / 6; TPM over
    /// fixed minutes; only x-ratelimit-remaining-requests / -tokens; 429s with retry-after and retry-after-ms.
    /// </summary>
    /// <returns>A new instance.</returns>
    public static AccountingModel Azure()
    {
        var model = new AccountingModel { Name = "azure", Tokens = TokenCharge.InputPlusMaxOutput, Headers = RateLimitHeaderStyle.RemainingOnly };
        model[RateLimitDimension.RequestsPerMinute] = new DimensionAccounting { Enforcement = EnforcementKind.FixedWindow, Period = TimeSpan.FromSeconds(10), Settlement = ChargeSettlement.KeepAdmissionCharge };
        model[RateLimitDimension.TokensPerMinute] = new DimensionAccounting { Enforcement = EnforcementKind.FixedWindow, Period = TimeSpan.FromSeconds(60), Settlement = ChargeSettlement.KeepAdmissionCharge };
        return model;
    }

    /// <summary>
    /// Anthropic (https://docs.claude.com/en/api/rate-limits): token buckets "continuously replenished"; ITPM counts
    /// uncached input and cache writes, not cache reads; OTPM is "estimated based on max_tokens" at the start and
    /// adjusted to the actual output at the end; full anthropic-ratelimit-* headers; 429s with retry-after.
    /// </summary>
    /// <returns>A new instance.</returns>
    public static AccountingModel Anthropic() => new() { Name = "anthropic", PromptCaching = true };

    /// <summary>
    /// Gemini API (https://ai.google.dev/gemini-api/docs/rate-limits): RPM and TPM (input tokens) per minute,
    /// taken as at most the limit in any 60 s (a sliding log, the harshest reading); "Requests per day (RPD) quotas
    /// reset at midnight Pacific time" (America/Los_Angeles, with its daylight saving); no rate-limit headers;
    /// 429 RESOURCE_EXHAUSTED with QuotaFailure and a short RetryInfo.
    /// </summary>
    /// <returns>A new instance.</returns>
    public static AccountingModel Gemini()
    {
        var model = new AccountingModel { Name = "gemini", Tokens = TokenCharge.InputOnly, Headers = RateLimitHeaderStyle.None, RetryHintCap = TimeSpan.FromSeconds(60) };
        model[RateLimitDimension.RequestsPerMinute] = new DimensionAccounting { Enforcement = EnforcementKind.SlidingLog, Settlement = ChargeSettlement.KeepAdmissionCharge };
        model[RateLimitDimension.TokensPerMinute] = new DimensionAccounting { Enforcement = EnforcementKind.SlidingLog, Settlement = ChargeSettlement.KeepAdmissionCharge };
        model[RateLimitDimension.RequestsPerDay] = new DimensionAccounting { Enforcement = EnforcementKind.CalendarDay, TimeZone = PacificTime, Settlement = ChargeSettlement.KeepAdmissionCharge };
        model[RateLimitDimension.TokensPerDay] = new DimensionAccounting { Enforcement = EnforcementKind.CalendarDay, TimeZone = PacificTime, Settlement = ChargeSettlement.KeepAdmissionCharge };
        return model;
    }

    /// <summary>
    /// OpenRouter free models (https://openrouter.ai/docs/api-reference/limits): 20 requests per minute in fixed,
    /// clock-aligned minutes and a daily count that resets at UTC midnight, where failed attempts also count
    /// toward the daily quota; the X-RateLimit-* values appear only inside the 429 body (error.metadata.headers).
    /// </summary>
    /// <returns>A new instance.</returns>
    public static AccountingModel OpenRouterFree()
    {
        var model = new AccountingModel { Name = "openrouter-free", Headers = RateLimitHeaderStyle.InsideRateLimitBodyOnly, RetryAfterHeader = false };
        model[RateLimitDimension.RequestsPerMinute] = new DimensionAccounting { Enforcement = EnforcementKind.FixedWindow, Period = TimeSpan.FromSeconds(60), Settlement = ChargeSettlement.KeepAdmissionCharge };
        model[RateLimitDimension.RequestsPerDay] = new DimensionAccounting { Enforcement = EnforcementKind.CalendarDay, TimeZone = TimeZoneInfo.Utc, Settlement = ChargeSettlement.KeepAdmissionCharge, ChargeRefused = true };
        return model;
    }

    /// <summary>
    /// Groq (https://console.groq.com/docs/rate-limits): RPM, RPD, TPM, TPD at once; x-ratelimit-limit-requests is the
    /// per-day count and -tokens the per-minute one (resets as durations, continuous replenishment); the RPM is only
    /// in a 429's message; retry-after only on 429s.
    /// </summary>
    /// <returns>A new instance.</returns>
    public static AccountingModel Groq() => new() { Name = "groq", Tokens = TokenCharge.InputPlusMaxOutput, Headers = RateLimitHeaderStyle.PerDayRequests };

    /// <summary>The named profile: one of <see cref="ProfileNames"/>, ignoring case.</summary>
    /// <param name="name">The profile's name.</param>
    /// <returns>A new instance.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">No profile has that name (the message lists them).</exception>
    public static AccountingModel Profile(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryProfile(name, out AccountingModel? model)
            ? model
            : throw new ArgumentOutOfRangeException(nameof(name), name, $"Unknown accounting profile; expected one of: {string.Join(", ", ProfileNames)}.");
    }

    /// <summary>The named profile, without throwing.</summary>
    /// <param name="name">The profile's name.</param>
    /// <param name="model">The profile when the name is known.</param>
    /// <returns>Whether the name is known.</returns>
    public static bool TryProfile([NotNullWhen(true)] string? name, [NotNullWhen(true)] out AccountingModel? model)
    {
        model = name?.Trim().ToLowerInvariant() switch
        {
            "lenient" => Lenient(),
            "openai" => OpenAI(),
            "azure" => Azure(),
            "anthropic" => Anthropic(),
            "gemini" => Gemini(),
            "openrouter-free" => OpenRouterFree(),
            "groq" => Groq(),
            _ => null,
        };
        return model is not null;
    }

    /// <summary>
    /// Sets dimensions from the compact form <c>rpm=window:10s,tpm=quantized:1s+keep+refused,rpd=day:America/Los_Angeles</c>:
    /// per dimension (rpm, tpm, itpm, otpm, rpd, tpd) a kind (<c>bucket</c>, <c>quantized:N s</c>, <c>window:N s</c>,
    /// <c>sliding</c>, <c>day:ZONE</c>), then any of <c>+keep</c> (no refund at completion) and <c>+refused</c>
    /// (429s charged). A dimension named replaces its whole setting.
    /// </summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="error">What is wrong when the text is invalid.</param>
    /// <returns>Whether the text is valid; nothing is changed when it is not.</returns>
    public bool TrySetDimensions(string? text, [NotNullWhen(false)] out string? error)
    {
        var parsed = new Dictionary<RateLimitDimension, DimensionAccounting>();
        foreach (string part in (text ?? string.Empty).Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !RateLimitDimensions.TryParseShortName(part.AsSpan(0, equals).Trim(), out RateLimitDimension dimension))
            {
                error = $"'{part}' is not of the form dimension=kind (dimensions: rpm, tpm, itpm, otpm, rpd, tpd).";
                return false;
            }

            string[] pieces = part[(equals + 1)..].Split('+', StringSplitOptions.TrimEntries);
            var accounting = new DimensionAccounting();
            int colon = pieces[0].IndexOf(':', StringComparison.Ordinal);
            string kind = (colon < 0 ? pieces[0] : pieces[0][..colon]).ToLowerInvariant();
            string? argument = colon < 0 ? null : pieces[0][(colon + 1)..];
            switch (kind)
            {
                case "bucket":
                    break;
                case "sliding":
                    accounting.Enforcement = EnforcementKind.SlidingLog;
                    break;
                case "quantized" or "window" when TryParseSeconds(argument, out TimeSpan period):
                    accounting.Enforcement = kind == "window" ? EnforcementKind.FixedWindow : EnforcementKind.Quantized;
                    accounting.Period = period;
                    break;
                case "day" when argument is not null && TryFindZone(argument, out TimeZoneInfo? zone):
                    accounting.Enforcement = EnforcementKind.CalendarDay;
                    accounting.TimeZone = zone;
                    break;
                default:
                    error = $"'{pieces[0]}' is not a kind: bucket, quantized:1s, window:10s, sliding, day:UTC or day:America/Los_Angeles.";
                    return false;
            }

            foreach (string flag in pieces.Skip(1))
            {
                switch (flag.ToLowerInvariant())
                {
                    case "keep": accounting.Settlement = ChargeSettlement.KeepAdmissionCharge; break;
                    case "refused": accounting.ChargeRefused = true; break;
                    default:
                        error = $"'+{flag}' is not a flag: +keep (no refund at completion), +refused (429s charged).";
                        return false;
                }
            }

            parsed[dimension] = accounting;
        }

        foreach ((RateLimitDimension dimension, DimensionAccounting accounting) in parsed)
        {
            this[dimension] = accounting;
        }

        error = null;
        return true;

        static bool TryParseSeconds(string? value, out TimeSpan period)
        {
            period = default;
            string trimmed = value?.Trim().TrimEnd('s', 'S') ?? string.Empty;
            if (!double.TryParse(trimmed, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out double seconds)
                || seconds < 0.001 || seconds > 86_400)
            {
                return false;
            }

            period = TimeSpan.FromSeconds(seconds);
            return true;
        }

        static bool TryFindZone(string id, [NotNullWhen(true)] out TimeZoneInfo? zone)
        {
            if (id.Equals("UTC", StringComparison.OrdinalIgnoreCase))
            {
                zone = TimeZoneInfo.Utc;
                return true;
            }

            if (id.Equals("America/Los_Angeles", StringComparison.OrdinalIgnoreCase))
            {
                zone = PacificTime;
                return true;
            }

            return TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone);
        }
    }

    /// <summary>America/Los_Angeles (Pacific time with daylight saving), by IANA or Windows id.</summary>
    public static TimeZoneInfo PacificTime { get; } = FindPacificTime();

    /// <summary>One line per limited dimension that differs from the lenient model, for printing.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"{Name}: tokens {Tokens}, headers {Headers}, retry-after {(RetryAfterHeader ? "yes" : "no")}{(PromptCaching ? ", prompt caching" : string.Empty)}; "
        + string.Join("; ", RateLimitDimensions.All.Select(d => $"{RateLimitDimensions.ShortName(d)} {this[d]}"));

    internal AccountingModel Copy()
    {
        var copy = new AccountingModel
        {
            Name = Name,
            Tokens = Tokens,
            Headers = Headers,
            RetryAfterHeader = RetryAfterHeader,
            RetryHintCap = RetryHintCap,
            PromptCaching = PromptCaching,
            MinimumCacheableTokens = MinimumCacheableTokens,
        };
        foreach (RateLimitDimension dimension in RateLimitDimensions.All)
        {
            copy[dimension] = this[dimension].Copy();
        }

        return copy;
    }

    internal void Validate(string name)
    {
        if (!Enum.IsDefined(Tokens))
        {
            throw new ArgumentOutOfRangeException(name + ".Tokens", Tokens, $"{name}.Tokens must be a defined TokenCharge.");
        }

        if (!Enum.IsDefined(Headers))
        {
            throw new ArgumentOutOfRangeException(name + ".Headers", Headers, $"{name}.Headers must be a defined RateLimitHeaderStyle.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MinimumCacheableTokens, name + ".MinimumCacheableTokens");
        if (RetryHintCap is TimeSpan cap && cap <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name + ".RetryHintCap", cap, $"{name}.RetryHintCap must be positive, or null for the true wait.");
        }

        foreach (RateLimitDimension dimension in RateLimitDimensions.All)
        {
            this[dimension].Validate($"{name}[{dimension}]");
        }
    }

    private static TimeZoneInfo FindPacificTime()
    {
        foreach (string id in new[] { "America/Los_Angeles", "Pacific Standard Time" })
        {
            if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out TimeZoneInfo? zone))
            {
                return zone;
            }
        }

        // Without time-zone data (invariant containers): the rules in force since 2007, so that midnight still moves with DST.
        var start = TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 3, 2, DayOfWeek.Sunday);
        var end = TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 11, 1, DayOfWeek.Sunday);
        var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(DateTime.MinValue.Date, DateTime.MaxValue.Date, TimeSpan.FromHours(1), start, end);
        return TimeZoneInfo.CreateCustomTimeZone("America/Los_Angeles", TimeSpan.FromHours(-8), "Pacific Time", "Pacific Standard Time", "Pacific Daylight Time", [rule]);
    }
}
