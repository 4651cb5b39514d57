namespace FastBucket.Simulator.Accounting;

/// <summary>
/// Limits for the accounts that match an API key, a model, or both. An override that names both beats one
/// that names only the model, which beats one that names only the key.
/// </summary>
public sealed class RateLimitOverride
{
    /// <summary>The API key this override applies to; <see langword="null"/> for every key.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model (Azure: the deployment) this override applies to, compared ignoring case; <see langword="null"/> for every model.</summary>
    public string? Model { get; set; }

    /// <summary>The limits of the matching accounts; they replace the default limits whole, not dimension by dimension.</summary>
    public RateLimits Limits { get; set; } = new();

    /// <summary>Redacts the key: keys are never printed.</summary>
    /// <returns>A description naming the model and whether a key is set.</returns>
    public override string ToString() =>
        $"{(ApiKey is null ? "any key" : "one key")}, {Model ?? "any model"}: {Limits}";
}
