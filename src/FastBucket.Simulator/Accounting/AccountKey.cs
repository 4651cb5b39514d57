namespace FastBucket.Simulator.Accounting;

/// <summary>Identifies one account: a provider, an API key and a model.</summary>
/// <param name="Provider">The provider.</param>
/// <param name="ApiKey">The API key (kept in memory only, never printed: see <see cref="ToString"/>).</param>
/// <param name="Model">The model (Azure: the deployment).</param>
internal readonly record struct AccountKey(SimulatedProvider Provider, string ApiKey, string Model)
{
    public override string ToString() => $"{Provider}/{Model}/{ApiKeyFingerprint.Of(ApiKey)}";
}
