using System.Globalization;
using FastBucket.Quotas;

namespace FastBucket.Catalog;

/// <summary>Checks the fields of an entry and builds it; every catalog source goes through here.</summary>
internal static class CatalogEntryFactory
{
    /// <summary>The limit fields, as a catalog file names them.</summary>
    internal static readonly string[] LimitFieldNames = [.. QuotaDimensions.All.Select(d => d.Name)];

    /// <summary>Builds an entry, or throws a <see cref="LimitsCatalogException"/> that names the place and the value.</summary>
    /// <param name="fields">The fields as read.</param>
    /// <param name="origin">The catalog's origin (file path, configuration path, "embedded").</param>
    /// <param name="index">The entry's zero-based index in its catalog.</param>
    /// <param name="place">How messages name the entry, e.g. "limits file '/x.json', entry [3]".</param>
    /// <param name="strictModelNames">Whether prose model names the published table does not use are refused (user catalogs) rather than listed only (the embedded table).</param>
    public static CatalogEntry Create(CatalogEntryFields fields, string origin, int index, string place, bool strictModelNames)
    {
        string label = Label(fields);
        string where = string.IsNullOrEmpty(label) ? place : $"{place} ({label})";

        if (string.IsNullOrWhiteSpace(fields.Provider))
        {
            throw Error(origin, index, $"{where}: 'provider' is missing; expected one of {CatalogProviders.Describe()}.");
        }

        string provider = CatalogProviders.TryResolve(fields.Provider)
            ?? throw Error(origin, index, $"{where}: unknown provider '{fields.Provider}'; expected one of {CatalogProviders.Describe()}.");

        if (string.IsNullOrWhiteSpace(fields.Model))
        {
            throw Error(origin, index, $"{where}: 'model' is missing; give a model name such as 'gpt-4o-mini', a pattern such as 'gpt-4o*', or '*'.");
        }

        string model = fields.Model.Trim();
        string[] patterns;
        if (PublishedModelNames.TryGetPatterns(model, out string[] published))
        {
            patterns = published;
        }
        else if (PublishedModelNames.IsProse(model))
        {
            patterns = strictModelNames
                ? throw Error(origin, index, $"{where}: model '{model}' is not a model name or pattern (it contains spaces).")
                : [];
        }
        else
        {
            patterns = [model.ToLowerInvariant()];
        }

        var limits = new QuotaLimits
        {
            RequestsPerMinute = Positive(fields.Rpm, "rpm"),
            TokensPerMinute = Positive(fields.Tpm, "tpm"),
            RequestsPerDay = Positive(fields.Rpd, "rpd"),
            InputTokensPerMinute = Positive(fields.Itpm, "itpm"),
            OutputTokensPerMinute = Positive(fields.Otpm, "otpm"),
            TokensPerDay = Positive(fields.Tpd, "tpd"),
            MaxConcurrency = (int?)Positive(fields.MaxConcurrency, "max_concurrency", int.MaxValue),
        };

        string tier = TierName.IsAny(fields.Tier) ? TierName.Any : fields.Tier!.Trim();
        string? sharedAs = fields.SharedAs?.Trim();
        if (sharedAs is { Length: 0 })
        {
            throw Error(origin, index, $"{where}: 'shared_as' is empty; name the quota the models share, or leave it out.");
        }

        return new CatalogEntry(provider, model, patterns, tier, limits, fields.Source, fields.AsOf, fields.Notes, origin) { SharedAs = sharedAs };

        long? Positive(long? value, string name, long max = long.MaxValue)
        {
            if (value is { } number && (number <= 0 || number > max))
            {
                throw Error(origin, index, string.Create(
                    CultureInfo.InvariantCulture,
                    $"{where}: '{name}' is {number}; a limit must be a whole number from 1 to {max}, or null for no limit."));
            }

            return value;
        }
    }

    /// <summary>Checks that no two entries of one catalog have the same provider, model and tier.</summary>
    public static void CheckDistinct(IReadOnlyList<CatalogEntry> entries, string place)
    {
        var seen = new Dictionary<(string, string, string), int>();
        for (int i = 0; i < entries.Count; i++)
        {
            CatalogEntry entry = entries[i];
            var key = (entry.Provider, entry.Model.ToLowerInvariant(), entry.TierKey ?? TierName.Any);
            if (seen.TryGetValue(key, out int first))
            {
                throw Error(entry.Origin, i, $"{place}: entries [{first}] and [{i}] both define {entry.Provider} '{entry.Model}' tier '{entry.Tier}'.");
            }

            seen.Add(key, i);
        }
    }

    /// <summary>"provider model tier" as far as the fields say, for messages.</summary>
    internal static string Label(CatalogEntryFields fields) =>
        string.Join(' ', new[] { fields.Provider, fields.Model, fields.Tier }.Where(part => !string.IsNullOrWhiteSpace(part)));

    private static LimitsCatalogException Error(string origin, int index, string message) => new(origin, index, message);
}
