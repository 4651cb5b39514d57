namespace FastBucket.Simulator.Accounting;

/// <summary>
/// The limits of one provider's accounts: every (API key, model) pair is a separate account with
/// <see cref="Default"/> limits unless an entry of <see cref="Overrides"/> matches it.
/// </summary>
public sealed class PerKeyModelLimits
{
    /// <summary>The limits of accounts no override matches.</summary>
    public RateLimits Default { get; set; } = new();

    /// <summary>Limits for particular keys and models (see <see cref="RateLimitOverride"/> for precedence).</summary>
    public IList<RateLimitOverride> Overrides { get; } = [];

    /// <summary>Creates limits with the given default and no overrides.</summary>
    /// <param name="defaultLimits">The default limits.</param>
    /// <returns>The new instance.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="defaultLimits"/> is <see langword="null"/>.</exception>
    public static PerKeyModelLimits Uniform(RateLimits defaultLimits)
    {
        ArgumentNullException.ThrowIfNull(defaultLimits);
        return new PerKeyModelLimits { Default = defaultLimits };
    }

    /// <summary>The limits of one account: the most specific matching override, else <see cref="Default"/>.</summary>
    /// <param name="apiKey">The account's API key.</param>
    /// <param name="model">The account's model.</param>
    /// <returns>The limits that apply.</returns>
    public RateLimits Resolve(string apiKey, string model)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        ArgumentNullException.ThrowIfNull(model);

        RateLimitOverride? best = null;
        int bestRank = 0;
        foreach (RateLimitOverride candidate in Overrides)
        {
            bool keyMatches = candidate.ApiKey is null || string.Equals(candidate.ApiKey, apiKey, StringComparison.Ordinal);
            bool modelMatches = candidate.Model is null || string.Equals(candidate.Model, model, StringComparison.OrdinalIgnoreCase);
            if (!keyMatches || !modelMatches)
            {
                continue;
            }

            int rank = (candidate.Model is null ? 0 : 2) + (candidate.ApiKey is null ? 0 : 1);
            if (best is null || rank > bestRank)
            {
                best = candidate;
                bestRank = rank;
            }
        }

        return best?.Limits ?? Default;
    }

    internal PerKeyModelLimits Copy()
    {
        var copy = new PerKeyModelLimits { Default = Default.Copy() };
        foreach (RateLimitOverride entry in Overrides)
        {
            copy.Overrides.Add(new RateLimitOverride { ApiKey = entry.ApiKey, Model = entry.Model, Limits = entry.Limits.Copy() });
        }

        return copy;
    }
}
