using System.Globalization;

namespace FastBucket.Simulator.Accounting;

/// <summary>
/// One change to an account's allowances: an admission takes the reservation (positive amounts), a settlement
/// returns what the request did not use (negative amounts). Summing the entries of one account in any window
/// gives what that window consumed; <see cref="ChargeLogAudit"/> checks it against the limits.
/// </summary>
public sealed class ChargeRecord
{
    internal ChargeRecord(
        ChargeKind kind,
        SimulatedProvider provider,
        string model,
        string keyFingerprint,
        TimeSpan offset,
        DateTimeOffset timestamp,
        long requests,
        long tokens,
        long inputTokens,
        long outputTokens)
    {
        Kind = kind;
        Provider = provider;
        Model = model;
        KeyFingerprint = keyFingerprint;
        Offset = offset;
        Timestamp = timestamp;
        Requests = requests;
        Tokens = tokens;
        InputTokens = inputTokens;
        OutputTokens = outputTokens;
    }

    /// <summary>Admission or settlement.</summary>
    public ChargeKind Kind { get; }

    /// <summary>The provider of the account.</summary>
    public SimulatedProvider Provider { get; }

    /// <summary>The model (Azure: deployment) of the account.</summary>
    public string Model { get; }

    /// <summary>A fingerprint of the account's API key (the key itself is never recorded).</summary>
    public string KeyFingerprint { get; }

    /// <summary>Monotonic time since the simulator started, from the simulator's <see cref="TimeProvider"/>; windows are measured on this.</summary>
    public TimeSpan Offset { get; }

    /// <summary>Wall-clock time of the entry.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Requests (RPM, RPD).</summary>
    public long Requests { get; }

    /// <summary>Tokens (TPM, TPD).</summary>
    public long Tokens { get; }

    /// <summary>Input tokens (ITPM).</summary>
    public long InputTokens { get; }

    /// <summary>Output tokens (OTPM).</summary>
    public long OutputTokens { get; }

    /// <summary>The amount this entry counts against a dimension.</summary>
    /// <param name="dimension">The dimension.</param>
    /// <returns>The signed amount.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is not a defined value.</exception>
    public long AmountOf(RateLimitDimension dimension) =>
        new RequestCharge(Requests, Tokens, InputTokens, OutputTokens).AmountOf(dimension);

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Offset.TotalSeconds:0.######}s {Kind} {Provider}/{Model}/{KeyFingerprint}: requests {Requests}, tokens {Tokens}, input {InputTokens}, output {OutputTokens}");
}
