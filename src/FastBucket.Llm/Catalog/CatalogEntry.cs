using System.Globalization;
using System.Text;
using FastBucket.Quotas;

namespace FastBucket.Catalog;

/// <summary>One row of a limits catalog: a provider's published (or the user's own) limits for a model and tier.</summary>
public sealed class CatalogEntry
{
    internal CatalogEntry(
        string provider,
        string model,
        IReadOnlyList<string> modelPatterns,
        string tier,
        QuotaLimits limits,
        string? source,
        string? asOf,
        string? notes,
        string origin)
    {
        Provider = provider;
        Model = model;
        ModelPatterns = modelPatterns;
        Tier = tier;
        TierKey = TierName.IsAny(tier) ? null : TierName.Key(tier);
        Limits = limits;
        Source = source;
        AsOf = asOf;
        Notes = notes;
        Origin = origin;
    }

    /// <summary>The provider's canonical id: <c>openai</c>, <c>anthropic</c>, <c>gemini</c>, <c>openrouter</c>, <c>azure-openai</c>, <c>groq</c>, <c>generic</c> or <c>deepseek</c>.</summary>
    public string Provider { get; }

    /// <summary>The model as the entry names it: a model name, a pattern such as <c>gpt-4o*</c>, or the published table's prose.</summary>
    public string Model { get; }

    /// <summary>
    /// The lower-case patterns the entry matches (<c>*</c> is any run of characters). Empty for rows that are not a
    /// model (the published table's batch and long-context rows): those are listed but never looked up.
    /// </summary>
    public IReadOnlyList<string> ModelPatterns { get; }

    /// <summary>The tier as written; <c>any</c> when the entry applies to every tier.</summary>
    public string Tier { get; }

    /// <summary>Whether the entry applies to every tier.</summary>
    public bool AppliesToAnyTier => TierKey is null;

    /// <summary>The limits; a <see langword="null"/> dimension is not limited (or not published).</summary>
    public QuotaLimits Limits { get; }

    /// <summary>
    /// Whether the entry states at least one limit. Entries without any (tier qualifications, notes, "no published
    /// limit" rows) are listed but never returned by <see cref="LimitsCatalog.Find(string, string, string?)"/>.
    /// </summary>
    public bool HasLimits => Limits != QuotaLimits.Unlimited;

    /// <summary>Where the numbers come from (a documentation address), when stated.</summary>
    public string? Source { get; }

    /// <summary>When the source was read, as stated (a date or a description); limits change often.</summary>
    public string? AsOf { get; }

    /// <summary>Remarks that come with the entry.</summary>
    public string? Notes { get; }

    /// <summary>
    /// The name of the one quota that every model the entry matches draws on, or <see langword="null"/> when each
    /// model has its own. Providers count some limits across models: Anthropic's Claude Sonnet 4.x limits are combined
    /// over 4.6, 4.5 and 4; OpenRouter's <c>:free</c> limits are per account. Two models that share it share one quota
    /// (see <see cref="LimitsCatalog.ResolveQuotaKey"/>).
    /// </summary>
    public string? SharedAs { get; init; }

    /// <summary>Where the entry was read: <c>embedded</c>, a file path, or a configuration path.</summary>
    public string Origin { get; }

    /// <summary>The tier's comparison key; <see langword="null"/> for an any-tier entry.</summary>
    internal string? TierKey { get; }

    /// <summary>A one-line description: provider, model, tier, the stated limits and the date.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Provider} {Model} [{Tier}]:");
        int before = text.Length;
        foreach (var dimension in QuotaDimensions.All)
        {
            Append(text, dimension.Name, dimension.LimitOf(Limits));
        }
        if (text.Length == before)
        {
            text.Append(" no limits stated");
        }

        if (SharedAs is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" shared as {SharedAs}");
        }

        if (AsOf is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" (as of {AsOf})");
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, string name, long? value)
    {
        if (value is { } limit)
        {
            text.Append(CultureInfo.InvariantCulture, $" {name} {limit}");
        }
    }
}
