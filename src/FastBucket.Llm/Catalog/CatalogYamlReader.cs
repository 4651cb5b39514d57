using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace FastBucket.Catalog;

/// <summary>
/// Reads a catalog file in YAML, provider then model then limits, the shape llm-rate-limiter users write:
/// <code>
/// openai:
///   gpt-4:
///     requests_per_minute: 200
///     tokens_per_minute: 40000
/// anthropic:
///   claude-sonnet-4-5:
///     requests_per_minute: 50
///     input_tokens_per_minute: 30000
///     output_tokens_per_minute: 8000
/// </code>
/// Limits: <c>requests_per_minute</c>, <c>tokens_per_minute</c>, <c>requests_per_day</c>, <c>tokens_per_day</c>,
/// <c>input_tokens_per_minute</c>, <c>output_tokens_per_minute</c>, <c>max_concurrency</c> (or the JSON catalog's
/// short names <c>rpm</c>, <c>tpm</c>, <c>rpd</c>, <c>tpd</c>, <c>itpm</c>, <c>otpm</c>), whole numbers or null; and
/// <c>tier</c>, <c>source</c>, <c>as_of</c>, <c>notes</c>. Model keys may be patterns (<c>gpt-4o*</c>, <c>*</c>).
/// </summary>
/// <remarks>
/// The file is untrusted: anything else (an unknown field, a value that is not a whole number, a sequence where a
/// mapping belongs, anchors and aliases, nesting deeper than the shape, a syntax error) throws a
/// <see cref="LimitsCatalogException"/> that names the file, the line and the entry; nothing else escapes.
/// </remarks>
internal static class CatalogYamlReader
{
    private const int MaxDepth = 8;

    private static readonly Dictionary<string, string> LimitNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["requests_per_minute"] = "rpm",
        ["rpm"] = "rpm",
        ["tokens_per_minute"] = "tpm",
        ["tpm"] = "tpm",
        ["requests_per_day"] = "rpd",
        ["rpd"] = "rpd",
        ["tokens_per_day"] = "tpd",
        ["tpd"] = "tpd",
        ["input_tokens_per_minute"] = "itpm",
        ["itpm"] = "itpm",
        ["output_tokens_per_minute"] = "otpm",
        ["otpm"] = "otpm",
        ["max_concurrency"] = "max_concurrency",
    };

    private static readonly string[] TextNames = ["tier", "source", "as_of", "notes"];

    /// <summary>Reads the entries of a YAML catalog, or throws a <see cref="LimitsCatalogException"/> naming <paramref name="name"/>.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="origin">The file path.</param>
    /// <param name="name">How messages name the catalog, e.g. "limits file '/etc/limits.yaml'".</param>
    public static IReadOnlyList<CatalogEntry> Read(string text, string origin, string name)
    {
        Node? root;
        try
        {
            var parser = new Parser(new StringReader(text));
            root = ReadDocument(parser, origin, name);
        }
        catch (YamlException error)
        {
            throw new LimitsCatalogException(
                origin,
                null,
                string.Create(CultureInfo.InvariantCulture, $"{name} is not valid YAML at line {error.Start.Line}, column {error.Start.Column}: {error.Message}"),
                error);
        }
        catch (Exception error) when (error is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            throw new LimitsCatalogException(origin, null, $"{name} could not be read as YAML: {error.Message}", error);
        }

        var entries = new List<CatalogEntry>();
        if (root is null || root.IsNull)
        {
            return entries;
        }

        foreach (var (providerKey, models) in Mapping(root, origin, name, $"{name}, line {root.Line}", "a mapping of providers to models"))
        {
            string providerPlace = $"{name}, line {providerKey.Line}, provider '{providerKey.Value}'";
            if (models.IsNull)
            {
                continue;
            }

            foreach (var (modelKey, fields) in Mapping(models, origin, name, providerPlace, "a mapping of models to limits"))
            {
                int index = entries.Count;
                string place = $"{name}, line {modelKey.Line}, entry {providerKey.Value}/{modelKey.Value}";
                entries.Add(CatalogEntryFactory.Create(ReadFields(providerKey.Value, modelKey.Value, fields, origin, index, place), origin, index, place, strictModelNames: true));
            }
        }

        CatalogEntryFactory.CheckDistinct(entries, name);
        return entries;
    }

    private static CatalogEntryFields ReadFields(string provider, string model, Node fields, string origin, int index, string place)
    {
        var limits = new Dictionary<string, long?>(StringComparer.Ordinal);
        var texts = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (!fields.IsNull)
        {
            foreach (var (key, value) in Mapping(fields, origin, place, place, "a mapping of limits such as 'requests_per_minute: 200'", index))
            {
                string where = $"{place}, line {key.Line}";
                if (LimitNames.TryGetValue(key.Value, out string? limit))
                {
                    if (!limits.TryAdd(limit, ReadLimit(key.Value, value, origin, index, where)))
                    {
                        throw new LimitsCatalogException(origin, index, $"{where}: '{key.Value}' is given twice.");
                    }
                }
                else if (Array.IndexOf(TextNames, key.Value.ToLowerInvariant()) >= 0)
                {
                    if (value.Kind != NodeKind.Scalar)
                    {
                        throw new LimitsCatalogException(origin, index, $"{where}: '{key.Value}' must be text.");
                    }

                    if (!texts.TryAdd(key.Value.ToLowerInvariant(), value.IsNull ? null : value.Value))
                    {
                        throw new LimitsCatalogException(origin, index, $"{where}: '{key.Value}' is given twice.");
                    }
                }
                else
                {
                    throw new LimitsCatalogException(
                        origin,
                        index,
                        $"{where}: unknown field '{key.Value}'; expected {string.Join(", ", LimitNames.Keys.Where(k => k.Contains('_', StringComparison.Ordinal)))}, tier, source, as_of or notes.");
                }
            }
        }

        return new CatalogEntryFields
        {
            Provider = provider,
            Model = model,
            Tier = texts.GetValueOrDefault("tier"),
            Rpm = limits.GetValueOrDefault("rpm"),
            Tpm = limits.GetValueOrDefault("tpm"),
            Rpd = limits.GetValueOrDefault("rpd"),
            Itpm = limits.GetValueOrDefault("itpm"),
            Otpm = limits.GetValueOrDefault("otpm"),
            Tpd = limits.GetValueOrDefault("tpd"),
            MaxConcurrency = limits.GetValueOrDefault("max_concurrency"),
            Source = texts.GetValueOrDefault("source"),
            AsOf = texts.GetValueOrDefault("as_of"),
            Notes = texts.GetValueOrDefault("notes"),
        };
    }

    private static long? ReadLimit(string field, Node value, string origin, int index, string where)
    {
        if (value.IsNull)
        {
            return null;
        }

        long max = field.Equals("max_concurrency", StringComparison.OrdinalIgnoreCase) ? int.MaxValue : long.MaxValue;
        if (value.Kind == NodeKind.Scalar
            && long.TryParse(value.Value.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number)
            && number >= 1 && number <= max)
        {
            return number;
        }

        string shown = value.Kind == NodeKind.Scalar ? $"'{Shorten(value.Value)}'" : value.Kind == NodeKind.Mapping ? "a mapping" : "a sequence";
        throw new LimitsCatalogException(
            origin,
            index,
            string.Create(CultureInfo.InvariantCulture, $"{where}: '{field}' is {shown}; a limit must be a whole number from 1 to {max}, or null for no limit."));
    }

    private static IEnumerable<(Node Key, Node Value)> Mapping(Node node, string origin, string name, string place, string expected, int? index = null)
    {
        if (node.Kind != NodeKind.Mapping)
        {
            string found = node.Kind == NodeKind.Sequence ? "a sequence" : $"'{Shorten(node.Value)}'";
            throw new LimitsCatalogException(origin, index, $"{place}: expected {expected}, but found {found} (line {node.Line}).");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in node.Children!)
        {
            if (key.Kind != NodeKind.Scalar || key.IsNull || string.IsNullOrWhiteSpace(key.Value))
            {
                throw new LimitsCatalogException(origin, index, $"{name}, line {key.Line}: a key must be a name.");
            }

            if (!seen.Add(key.Value.Trim()))
            {
                throw new LimitsCatalogException(origin, index, $"{name}, line {key.Line}: '{key.Value}' appears twice under {place}.");
            }

            yield return (key with { Value = key.Value.Trim() }, value);
        }
    }

    private static Node? ReadDocument(IParser parser, string origin, string name)
    {
        parser.Consume<StreamStart>();
        if (parser.TryConsume<StreamEnd>(out _))
        {
            return null;
        }

        parser.Consume<DocumentStart>();
        var root = ReadNode(parser, origin, name, depth: 0);
        parser.Consume<DocumentEnd>();
        if (!parser.TryConsume<StreamEnd>(out _))
        {
            throw new LimitsCatalogException(origin, null, $"{name}, line {parser.Current?.Start.Line}: a limits file holds one YAML document.");
        }

        return root;
    }

    private static Node ReadNode(IParser parser, string origin, string name, int depth)
    {
        var current = parser.Current ?? throw new LimitsCatalogException(origin, null, $"{name} ends unexpectedly.");
        int line = (int)Math.Min(current.Start.Line, int.MaxValue);
        if (depth > MaxDepth)
        {
            throw new LimitsCatalogException(origin, null, $"{name}, line {line}: nested deeper than a limits file is.");
        }

        switch (current)
        {
            case AnchorAlias:
                throw new LimitsCatalogException(origin, null, $"{name}, line {line}: YAML aliases are not supported in a limits file; write the limits out.");
            case NodeEvent { Anchor.IsEmpty: false }:
                throw new LimitsCatalogException(origin, null, $"{name}, line {line}: YAML anchors are not supported in a limits file; write the limits out.");
            case Scalar scalar:
                parser.MoveNext();
                bool isNull = scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";
                return new Node(NodeKind.Scalar, scalar.Value, line, null, isNull);
            case SequenceStart:
                parser.MoveNext();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    ReadNode(parser, origin, name, depth + 1);
                }

                return new Node(NodeKind.Sequence, string.Empty, line, null, false);
            case MappingStart:
                parser.MoveNext();
                var children = new List<(Node, Node)>();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var key = ReadNode(parser, origin, name, depth + 1);
                    var value = ReadNode(parser, origin, name, depth + 1);
                    children.Add((key, value));
                }

                return new Node(NodeKind.Mapping, string.Empty, line, children, false);
            default:
                throw new LimitsCatalogException(origin, null, $"{name}, line {line}: unexpected YAML ({current.GetType().Name}).");
        }
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");

    private enum NodeKind
    {
        Scalar,
        Mapping,
        Sequence,
    }

    private sealed record Node(NodeKind Kind, string Value, int Line, List<(Node Key, Node Value)>? Children, bool IsNull);
}
