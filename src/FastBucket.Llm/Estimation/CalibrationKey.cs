using FastBucket.Providers;

namespace FastBucket.Estimation;

/// <summary>A provider and model, compared with the model name's letter case ignored.</summary>
internal readonly struct CalibrationKey : IEquatable<CalibrationKey>
{
    public CalibrationKey(LlmProvider provider, string? model)
    {
        Provider = provider;
        Model = model ?? string.Empty;
    }

    public LlmProvider Provider { get; }

    public string Model { get; }

    public bool Equals(CalibrationKey other) =>
        Provider == other.Provider && string.Equals(Model, other.Model, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => obj is CalibrationKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Provider, StringComparer.OrdinalIgnoreCase.GetHashCode(Model));
}
