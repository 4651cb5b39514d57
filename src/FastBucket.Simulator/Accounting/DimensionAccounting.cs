namespace FastBucket.Simulator.Accounting;

/// <summary>How one dimension of an account is enforced and charged.</summary>
public sealed class DimensionAccounting
{
    /// <summary>How the limit is enforced over time; <see cref="EnforcementKind.TokenBucket"/> by default.</summary>
    public EnforcementKind Enforcement { get; set; } = EnforcementKind.TokenBucket;

    /// <summary>
    /// For <see cref="EnforcementKind.Quantized"/>, the N seconds' worth its extra bucket holds; for
    /// <see cref="EnforcementKind.FixedWindow"/>, the length of each clock-aligned window. 1 s by default;
    /// ignored by the other kinds.
    /// </summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>For <see cref="EnforcementKind.CalendarDay"/>, the time zone whose midnight starts a day; UTC by default.</summary>
    public TimeZoneInfo TimeZone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>Whether an admitted request's unused reservation goes back at completion; settled by default.</summary>
    public ChargeSettlement Settlement { get; set; } = ChargeSettlement.SettleToActual;

    /// <summary>Whether a refused (429) request is charged anyway; not by default. OpenAI: "unsuccessful requests
    /// contribute to your per-minute limit".</summary>
    public bool ChargeRefused { get; set; }

    /// <summary>A short description, e.g. <c>fixed 10s, keep, refused charged</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        string shape = Enforcement switch
        {
            EnforcementKind.TokenBucket => "bucket",
            EnforcementKind.Quantized => $"bucket + {Period.TotalSeconds:0.###}s quantum",
            EnforcementKind.FixedWindow => $"fixed {Period.TotalSeconds:0.###}s windows",
            EnforcementKind.SlidingLog => "sliding log",
            _ => $"calendar day ({TimeZone.Id})",
        };
        return shape + (Settlement == ChargeSettlement.SettleToActual ? ", settled" : ", kept") + (ChargeRefused ? ", 429s charged" : string.Empty);
    }

    internal DimensionAccounting Copy() => new()
    {
        Enforcement = Enforcement,
        Period = Period,
        TimeZone = TimeZone,
        Settlement = Settlement,
        ChargeRefused = ChargeRefused,
    };

    internal void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(TimeZone, name + ".TimeZone");
        if (!Enum.IsDefined(Enforcement))
        {
            throw new ArgumentOutOfRangeException(name + ".Enforcement", Enforcement, $"{name}.Enforcement must be a defined EnforcementKind.");
        }

        if (Enforcement is EnforcementKind.Quantized or EnforcementKind.FixedWindow
            && (Period < TimeSpan.FromMilliseconds(1) || Period > TimeSpan.FromDays(1)))
        {
            throw new ArgumentOutOfRangeException(name + ".Period", Period, $"{name}.Period must be from 1 ms to 1 day.");
        }
    }
}
