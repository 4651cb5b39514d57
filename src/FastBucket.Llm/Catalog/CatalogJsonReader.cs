using System.Globalization;
using System.Text.Json;

namespace FastBucket.Catalog;

/// <summary>
/// Reads a catalog file: a JSON array of objects with <c>provider</c>, <c>model</c>, <c>tier</c>, the limits
/// <c>rpm</c>, <c>tpm</c>, <c>rpd</c>, <c>itpm</c>, <c>otpm</c>, <c>tpd</c>, <c>max_concurrency</c> (whole numbers or
/// null), <c>shared_as</c> (the name of a quota shared by every model the entry matches), and <c>source</c>,
/// <c>as_of</c>, <c>notes</c>. Field names ignore letter case; other fields are ignored.
/// </summary>
internal static class CatalogJsonReader
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 16,
    };

    /// <summary>Reads the entries of a catalog, or throws a <see cref="LimitsCatalogException"/> naming <paramref name="name"/>.</summary>
    /// <param name="json">The file's bytes.</param>
    /// <param name="origin">The catalog's origin: the file path, or "embedded".</param>
    /// <param name="name">How messages name the catalog, e.g. "limits file '/etc/limits.json'".</param>
    /// <param name="strictModelNames">See <see cref="CatalogEntryFactory.Create"/>.</param>
    public static IReadOnlyList<CatalogEntry> Read(ReadOnlyMemory<byte> json, string origin, string name, bool strictModelNames)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException error)
        {
            string position = error.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $" at line {line + 1}, byte {error.BytePositionInLine + 1}")
                : string.Empty;
            throw new LimitsCatalogException(origin, null, $"{name} is not valid JSON{position}: {error.Message}", error);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                throw new LimitsCatalogException(origin, null, $"{name} must be a JSON array of entries, but it is {Describe(root)}.");
            }

            var entries = new List<CatalogEntry>(root.GetArrayLength());
            int index = 0;
            foreach (JsonElement item in root.EnumerateArray())
            {
                string place = $"{name}, entry [{index}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new LimitsCatalogException(origin, index, $"{place} must be a JSON object, but it is {Describe(item)}.");
                }

                entries.Add(CatalogEntryFactory.Create(ReadFields(item, origin, index, place), origin, index, place, strictModelNames));
                index++;
            }

            CatalogEntryFactory.CheckDistinct(entries, name);
            return entries;
        }
    }

    private static CatalogEntryFields ReadFields(JsonElement item, string origin, int index, string place)
    {
        string? provider = ReadText(item, "provider", origin, index, place, required: true);
        string? model = ReadText(item, "model", origin, index, place, required: true);
        string? tier = ReadText(item, "tier", origin, index, place, required: true);
        var partial = new CatalogEntryFields { Provider = provider, Model = model, Tier = tier };
        string label = CatalogEntryFactory.Label(partial);
        string where = label.Length == 0 ? place : $"{place} ({label})";

        return new CatalogEntryFields
        {
            Provider = provider,
            Model = model,
            Tier = tier,
            Rpm = ReadLimit(item, "rpm", origin, index, where),
            Tpm = ReadLimit(item, "tpm", origin, index, where),
            Rpd = ReadLimit(item, "rpd", origin, index, where),
            Itpm = ReadLimit(item, "itpm", origin, index, where),
            Otpm = ReadLimit(item, "otpm", origin, index, where),
            Tpd = ReadLimit(item, "tpd", origin, index, where),
            MaxConcurrency = ReadLimit(item, "max_concurrency", origin, index, where),
            Source = ReadText(item, "source", origin, index, where, required: false),
            AsOf = ReadText(item, "as_of", origin, index, where, required: false),
            Notes = ReadText(item, "notes", origin, index, where, required: false),
            SharedAs = ReadText(item, "shared_as", origin, index, where, required: true),
        };
    }

    private static bool TryGetField(JsonElement item, string name, out JsonElement value)
    {
        foreach (JsonProperty property in item.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static string? ReadText(JsonElement item, string name, string origin, int index, string where, bool required)
    {
        if (!TryGetField(item, name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        // Descriptive fields tolerate other JSON; the identifying ones must be text.
        return required
            ? throw new LimitsCatalogException(origin, index, $"{where}: '{name}' must be a string, but it is {Describe(value)}.")
            : value.GetRawText();
    }

    private static long? ReadLimit(JsonElement item, string name, string origin, int index, string where)
    {
        if (!TryGetField(item, name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out long whole))
            {
                return whole;
            }

            if (value.TryGetDecimal(out decimal number) && number == decimal.Truncate(number) && number is >= long.MinValue and <= long.MaxValue)
            {
                return (long)number;
            }
        }

        throw new LimitsCatalogException(
            origin,
            index,
            $"{where}: '{name}' is {Describe(value)}; a limit must be a whole number from 1 to {long.MaxValue.ToString(CultureInfo.InvariantCulture)}, or null for no limit.");
    }

    /// <summary>A value for a message: its JSON text, shortened, or its kind for containers.</summary>
    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => Shorten(value.GetRawText()),
    };

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
}
