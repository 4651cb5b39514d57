using System.Collections.Immutable;
using System.Globalization;
using FastBucket.Providers;
using FastBucket.Quotas;
using Microsoft.Extensions.Configuration;

namespace FastBucket.Catalog;

/// <summary>
/// Published default rate limits per provider, model and tier, with the user's overrides on top.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Default"/> holds the table embedded in the library (read from the providers' documentation; every
/// entry says its <see cref="CatalogEntry.Source"/> and <see cref="CatalogEntry.AsOf"/> date, and limits change
/// often). Overrides are layered on top: <see cref="WithFile"/> (a file in the same JSON shape, or YAML as provider,
/// model, then limits such as <c>requests_per_minute</c>; <c>.yaml</c> and <c>.yml</c> files are read as YAML),
/// <see cref="WithConfiguration"/> / <see cref="WithOptions"/> (hosted apps), and the file named by the
/// <see cref="EnvironmentVariable"/> environment variable, which <see cref="CreateDefault"/> applies.
/// </para>
/// <para>
/// A lookup (<see cref="Find(string, string, string?)"/>) searches the layers from the last added to the embedded one
/// and returns the best entry of the first layer that has one: whatever an override file or configuration says about a
/// model wins over the embedded table. Within a layer the best entry is the most specific: the exact model name, then
/// its family (a dated snapshot such as <c>gpt-4o-mini-2024-07-18</c> or <c>claude-sonnet-4-5-20250929</c> without
/// its date), then the wildcard pattern with the most literal characters (<c>gpt-4o*</c> before <c>*</c>); and an
/// entry for the exact tier before one for any tier. Entries that state no limit are never returned.
/// </para>
/// <para>
/// When a lookup names no tier, the provider's default tier is used: <c>tier-1</c> for OpenAI and Anthropic,
/// <c>free</c> for Gemini, <c>purchased &lt; 10 credits</c> for OpenRouter (the most conservative ordinary account),
/// none for the others. Set the account's real tier with <see cref="WithDefaultTier"/> or
/// <see cref="FastBucketLimitsOptions.Tiers"/>.
/// </para>
/// <para>Catalogs are immutable and safe to share between threads. Errors in a catalog throw <see cref="LimitsCatalogException"/>.</para>
/// </remarks>
public sealed class LimitsCatalog
{
    /// <summary>The environment variable that names an override file for <see cref="CreateDefault"/>.</summary>
    public const string EnvironmentVariable = "FASTBUCKET_LIMITS";

    /// <summary>The name of the embedded table's manifest resource.</summary>
    internal const string EmbeddedResourceName = "FastBucket.Catalog.provider-limits.json";

    /// <summary>The origin of the embedded table's entries.</summary>
    internal const string EmbeddedOrigin = "embedded";

    private static readonly Lazy<LimitsCatalog> Embedded = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    // Highest priority first; the embedded table is last.
    private readonly ImmutableArray<IReadOnlyList<CatalogEntry>> _layers;
    private readonly ImmutableDictionary<string, string> _defaultTiers;

    private LimitsCatalog(ImmutableArray<IReadOnlyList<CatalogEntry>> layers, ImmutableDictionary<string, string> defaultTiers)
    {
        _layers = layers;
        _defaultTiers = defaultTiers;
        Entries = [.. layers.SelectMany(layer => layer)];
    }

    /// <summary>The embedded table of published limits, without overrides.</summary>
    public static LimitsCatalog Default => Embedded.Value;

    /// <summary>The provider names a catalog may use, in their canonical spelling.</summary>
    public static IReadOnlyList<string> KnownProviders => CatalogProviders.Ids;

    /// <summary>Every entry, overrides first (the last added first), then the embedded table in file order.</summary>
    public IReadOnlyList<CatalogEntry> Entries { get; }

    /// <summary>
    /// The embedded table with the file named by <see cref="EnvironmentVariable"/> on top, when that variable is set.
    /// </summary>
    /// <exception cref="LimitsCatalogException">The variable names a file that is missing or invalid.</exception>
    public static LimitsCatalog CreateDefault() => CreateDefaultFrom(Environment.GetEnvironmentVariable);

    /// <summary>The embedded table with a catalog file on top.</summary>
    /// <param name="path">A JSON file in the embedded table's shape.</param>
    /// <exception cref="LimitsCatalogException">The file is missing, unreadable or invalid.</exception>
    public static LimitsCatalog Load(string path) => Default.WithFile(path);

    /// <summary>The embedded table with a configuration section on top (see <see cref="FastBucketLimitsOptions"/>).</summary>
    /// <param name="section">The section, usually <c>configuration.GetSection(FastBucketLimitsOptions.SectionName)</c>.</param>
    /// <exception cref="LimitsCatalogException">The section, or the file it names, is invalid.</exception>
    public static LimitsCatalog FromConfiguration(IConfiguration section) => Default.WithConfiguration(section);

    /// <summary>The embedded table with bound options on top.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="LimitsCatalogException">An entry, a tier or the file the options name is invalid.</exception>
    public static LimitsCatalog FromOptions(FastBucketLimitsOptions options) => Default.WithOptions(options);

    /// <summary>This catalog with a catalog file's entries on top.</summary>
    /// <param name="path">A JSON file in the embedded table's shape.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="LimitsCatalogException">The file is missing, unreadable or invalid.</exception>
    public LimitsCatalog WithFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return WithLayer(ReadFile(path, namedBy: null));
    }

    /// <summary>This catalog with a configuration section on top (see <see cref="FastBucketLimitsOptions"/>).</summary>
    /// <param name="section">The section, usually <c>configuration.GetSection(FastBucketLimitsOptions.SectionName)</c>.</param>
    /// <exception cref="LimitsCatalogException">The section, or the file it names, is invalid.</exception>
    public LimitsCatalog WithConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        string path = section is IConfigurationSection named ? named.Path : string.Empty;
        string where = path.Length == 0 ? "configuration" : $"configuration '{path}'";
        CheckLimitValues(section, path);

        var options = new FastBucketLimitsOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException error)
        {
            throw new LimitsCatalogException(path, null, $"{where} could not be read: {error.Message}", error);
        }

        return ApplyOptions(options, path.Length == 0 ? string.Empty : path + ":");
    }

    /// <summary>This catalog with bound options on top: the file they name, then their entries, and their tiers.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="LimitsCatalogException">An entry, a tier or the file the options name is invalid.</exception>
    public LimitsCatalog WithOptions(FastBucketLimitsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ApplyOptions(options, configurationPrefix: null);
    }

    /// <summary>This catalog with another default tier for a provider.</summary>
    /// <param name="provider">A provider name (see <see cref="KnownProviders"/>).</param>
    /// <param name="tier">The account's tier, e.g. <c>tier-3</c>.</param>
    /// <exception cref="ArgumentException">The provider is unknown or the tier is empty.</exception>
    public LimitsCatalog WithDefaultTier(string provider, string tier)
    {
        string id = ResolveProvider(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(tier);
        return new LimitsCatalog(_layers, _defaultTiers.SetItem(id, tier.Trim()));
    }

    /// <summary>The tier a lookup for <paramref name="provider"/> uses when it names none; <see langword="null"/> when there is none.</summary>
    /// <param name="provider">The provider.</param>
    public string? GetDefaultTier(LlmProvider provider) => _defaultTiers.GetValueOrDefault(CatalogProviders.IdOf(provider));

    /// <summary>The tier a lookup for <paramref name="provider"/> uses when it names none; <see langword="null"/> when there is none.</summary>
    /// <param name="provider">A provider name (see <see cref="KnownProviders"/>).</param>
    /// <exception cref="ArgumentException">The provider is unknown.</exception>
    public string? GetDefaultTier(string provider) => _defaultTiers.GetValueOrDefault(ResolveProvider(provider));

    /// <summary>The limits for a model, or <see langword="null"/> when the catalog has none.</summary>
    /// <param name="provider">The provider.</param>
    /// <param name="model">The model name as sent to the API (letter case ignored; dated snapshots fall back to their family).</param>
    /// <param name="tier">The account's tier; <see langword="null"/> for the provider's default tier.</param>
    /// <exception cref="ArgumentException"><paramref name="model"/> is empty.</exception>
    public CatalogEntry? Find(LlmProvider provider, string model, string? tier = null) =>
        Find(CatalogProviders.IdOf(provider), model, tier, resolved: true);

    /// <summary>The limits for a model, or <see langword="null"/> when the catalog has none.</summary>
    /// <param name="provider">A provider name (see <see cref="KnownProviders"/>).</param>
    /// <param name="model">The model name as sent to the API (letter case ignored; dated snapshots fall back to their family).</param>
    /// <param name="tier">The account's tier; <see langword="null"/> for the provider's default tier.</param>
    /// <exception cref="ArgumentException">The provider is unknown or <paramref name="model"/> is empty.</exception>
    public CatalogEntry? Find(string provider, string model, string? tier = null) => Find(provider, model, tier, resolved: false);

    /// <summary>
    /// The quota a request for <paramref name="key"/> draws on: the same key, or, when the catalog entry for its model
    /// declares a limit shared by several models (<see cref="CatalogEntry.SharedAs"/>), the key of that shared quota,
    /// so that every model of a family, or every model of an account-wide limit, is counted once, together.
    /// </summary>
    /// <param name="key">The provider, model and account of a request.</param>
    /// <param name="tier">The account's tier; <see langword="null"/> for the provider's default tier.</param>
    public QuotaKey ResolveQuotaKey(QuotaKey key, string? tier = null) =>
        Find(key.Provider, key.Model, tier)?.SharedAs is { } shared ? key with { Model = shared } : key;

    /// <summary>
    /// The entries for a listing such as <c>fastbucket limits [provider] [model]</c>: those of the provider (all when
    /// <see langword="null"/>) whose patterns match the model (all when <see langword="null"/>), in <see cref="Entries"/> order.
    /// Unlike <see cref="Find(string, string, string?)"/> this includes entries without limits and every tier.
    /// </summary>
    /// <param name="provider">A provider name, or <see langword="null"/> for all.</param>
    /// <param name="model">A model name, or <see langword="null"/> for all.</param>
    /// <exception cref="ArgumentException">The provider is unknown.</exception>
    public IReadOnlyList<CatalogEntry> List(string? provider = null, string? model = null)
    {
        string? id = provider is null ? null : ResolveProvider(provider);
        IReadOnlyList<string>? candidates = string.IsNullOrWhiteSpace(model) ? null : ModelName.Candidates(model);
        return Entries
            .Where(entry => id is null || entry.Provider == id)
            .Where(entry => candidates is null
                || string.Equals(entry.Model, model!.Trim(), StringComparison.OrdinalIgnoreCase)
                || entry.ModelPatterns.Any(pattern => ModelName.Match(pattern, candidates) != ModelName.MatchKind.None))
            .ToList();
    }

    /// <summary><see cref="CreateDefault()"/> with the environment read through <paramref name="getVariable"/>.</summary>
    internal static LimitsCatalog CreateDefaultFrom(Func<string, string?> getVariable)
    {
        string? path = getVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(path) ? Default : Default.WithLayer(Default.ReadFile(path.Trim(), namedBy: EnvironmentVariable));
    }

    private CatalogEntry? Find(string provider, string model, string? tier, bool resolved)
    {
        string id = resolved ? provider : ResolveProvider(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        string? tierKey = (tier ?? _defaultTiers.GetValueOrDefault(id)) is { } named && !TierName.IsAny(named) ? TierName.Key(named) : null;
        IReadOnlyList<string> candidates = ModelName.Candidates(model);

        foreach (IReadOnlyList<CatalogEntry> layer in _layers)
        {
            CatalogEntry? best = null;
            (ModelName.MatchKind Kind, int Literal, bool ExactTier) bestRank = default;
            foreach (CatalogEntry entry in layer)
            {
                if (entry.Provider != id || !entry.HasLimits || !(entry.AppliesToAnyTier || entry.TierKey == tierKey))
                {
                    continue;
                }

                foreach (string pattern in entry.ModelPatterns)
                {
                    ModelName.MatchKind kind = ModelName.Match(pattern, candidates);
                    if (kind == ModelName.MatchKind.None)
                    {
                        continue;
                    }

                    var rank = (kind, ModelName.LiteralLength(pattern), !entry.AppliesToAnyTier);
                    if (best is null || IsBetter(rank, bestRank))
                    {
                        best = entry;
                        bestRank = rank;
                    }
                }
            }

            if (best is not null)
            {
                return best;
            }
        }

        return null;
    }

    private static bool IsBetter((ModelName.MatchKind Kind, int Literal, bool ExactTier) a, (ModelName.MatchKind Kind, int Literal, bool ExactTier) b) =>
        a.Kind != b.Kind ? a.Kind > b.Kind
        : a.Literal != b.Literal ? a.Literal > b.Literal
        : a.ExactTier && !b.ExactTier;

    private LimitsCatalog WithLayer(IReadOnlyList<CatalogEntry> layer) =>
        layer.Count == 0 ? this : new LimitsCatalog(_layers.Insert(0, layer), _defaultTiers);

    private LimitsCatalog ApplyOptions(FastBucketLimitsOptions options, string? configurationPrefix)
    {
        LimitsCatalog catalog = this;
        if (!string.IsNullOrWhiteSpace(options.File))
        {
            catalog = catalog.WithLayer(ReadFile(options.File.Trim(), namedBy: configurationPrefix is null ? "FastBucketLimitsOptions.File" : $"configuration '{configurationPrefix}File'"));
        }

        var entries = new List<CatalogEntry>(options.Entries.Count);
        string origin = configurationPrefix is null ? "FastBucketLimitsOptions" : configurationPrefix.TrimEnd(':');
        for (int i = 0; i < options.Entries.Count; i++)
        {
            string place = configurationPrefix is null
                ? string.Create(CultureInfo.InvariantCulture, $"FastBucketLimitsOptions.Entries[{i}]")
                : string.Create(CultureInfo.InvariantCulture, $"configuration '{configurationPrefix}Entries:{i}'");
            LimitEntryOptions? entry = options.Entries[i]
                ?? throw new LimitsCatalogException(origin, i, $"{place} is empty.");
            var fields = new CatalogEntryFields
            {
                Provider = entry.Provider,
                Model = entry.Model,
                Tier = entry.Tier,
                Rpm = entry.Rpm,
                Tpm = entry.Tpm,
                Rpd = entry.Rpd,
                Itpm = entry.Itpm,
                Otpm = entry.Otpm,
                Tpd = entry.Tpd,
                MaxConcurrency = entry.MaxConcurrency,
                Source = entry.Source,
                AsOf = entry.AsOf,
                Notes = entry.Notes,
                SharedAs = entry.SharedAs,
            };
            entries.Add(CatalogEntryFactory.Create(fields, origin, i, place, strictModelNames: true));
        }

        CatalogEntryFactory.CheckDistinct(entries, configurationPrefix is null ? "FastBucketLimitsOptions.Entries" : $"configuration '{configurationPrefix}Entries'");
        catalog = catalog.WithLayer(entries);

        foreach ((string provider, string tier) in options.Tiers)
        {
            string place = configurationPrefix is null ? $"FastBucketLimitsOptions.Tiers['{provider}']" : $"configuration '{configurationPrefix}Tiers:{provider}'";
            string id = CatalogProviders.TryResolve(provider)
                ?? throw new LimitsCatalogException(origin, null, $"{place}: unknown provider '{provider}'; expected one of {CatalogProviders.Describe()}.");
            if (string.IsNullOrWhiteSpace(tier))
            {
                throw new LimitsCatalogException(origin, null, $"{place}: the tier is empty.");
            }

            catalog = new LimitsCatalog(catalog._layers, catalog._defaultTiers.SetItem(id, tier.Trim()));
        }

        return catalog;
    }

    private IReadOnlyList<CatalogEntry> ReadFile(string path, string? namedBy)
    {
        string fullPath = Path.GetFullPath(path);
        string name = namedBy is null ? $"limits file '{fullPath}'" : $"limits file '{fullPath}' (named by {namedBy})";
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(fullPath);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new LimitsCatalogException(fullPath, null, $"{name} was not found.", error);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new LimitsCatalogException(fullPath, null, $"{name} could not be read: {error.Message}", error);
        }

        return IsYaml(fullPath, bytes)
            ? CatalogYamlReader.Read(DecodeUtf8(bytes, fullPath, name), fullPath, name)
            : CatalogJsonReader.Read(bytes, fullPath, name, strictModelNames: true);
    }

    /// <summary>A <c>.yaml</c> or <c>.yml</c> file is YAML, a <c>.json</c> file JSON; any other is JSON when it starts like JSON.</summary>
    private static bool IsYaml(string path, ReadOnlySpan<byte> bytes)
    {
        string extension = Path.GetExtension(path);
        if (extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || extension.Equals(".yml", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        ReadOnlySpan<byte> text = bytes.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes;
        text = text.TrimStart(" \t\r\n"u8);
        return !text.IsEmpty && text[0] is not (byte)'[' and not (byte)'{' and not (byte)'/';
    }

    private static string DecodeUtf8(byte[] bytes, string origin, string name)
    {
        try
        {
            return new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (System.Text.DecoderFallbackException error)
        {
            throw new LimitsCatalogException(origin, null, $"{name} is not UTF-8 text.", error);
        }
    }

    /// <summary>
    /// Reports limit values in configuration that are not whole numbers before binding, so that the message names
    /// the entry and the value rather than only a conversion failure.
    /// </summary>
    private static void CheckLimitValues(IConfiguration section, string path)
    {
        string[] keys = ["Rpm", "Tpm", "Rpd", "Itpm", "Otpm", "Tpd", "MaxConcurrency"];
        int index = 0;
        foreach (IConfigurationSection entry in section.GetSection("Entries").GetChildren())
        {
            foreach (string key in keys)
            {
                string? text = entry[key];
                if (!string.IsNullOrWhiteSpace(text)
                    && !long.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out _))
                {
                    string label = CatalogEntryFactory.Label(new CatalogEntryFields { Provider = entry["Provider"], Model = entry["Model"], Tier = entry["Tier"] });
                    string place = $"configuration '{entry.Path}'" + (label.Length == 0 ? string.Empty : $" ({label})");
                    throw new LimitsCatalogException(
                        path,
                        int.TryParse(entry.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : index,
                        $"{place}: '{key}' is '{text}'; a limit must be a whole number from 1 to {long.MaxValue.ToString(CultureInfo.InvariantCulture)}, or null for no limit.");
                }
            }

            index++;
        }
    }

    private static string ResolveProvider(string provider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        return CatalogProviders.TryResolve(provider)
            ?? throw new ArgumentException($"Unknown provider '{provider}'; expected one of {CatalogProviders.Describe()}.", nameof(provider));
    }

    private static LimitsCatalog LoadEmbedded()
    {
        using Stream stream = typeof(LimitsCatalog).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new LimitsCatalogException(EmbeddedOrigin, null, $"The embedded limits table '{EmbeddedResourceName}' is missing from {typeof(LimitsCatalog).Assembly.GetName().Name}.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        IReadOnlyList<CatalogEntry> entries = CatalogJsonReader.Read(
            buffer.GetBuffer().AsMemory(0, (int)buffer.Length), EmbeddedOrigin, "embedded limits table", strictModelNames: false);
        return new LimitsCatalog([entries], CatalogProviders.DefaultTiers.ToImmutableDictionary(StringComparer.Ordinal));
    }
}
