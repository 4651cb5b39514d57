using System.Collections.Frozen;

namespace FastBucket.Catalog;

/// <summary>
/// The model patterns that the published limits table's prose model names stand for.
/// </summary>
/// <remarks>
/// The table (copied unchanged from the providers' pages) names some rows in words: "(all)", "Claude Sonnet 4.x
/// (4.6/4.5/4 combined)", "*:free models". Each such name maps here to the API model names it covers. An empty list
/// marks a row that is not a model at all (the Message Batches API, gpt-4.1's separate long-context bucket, chosen
/// per request rather than per model): it is listed but never returned by a lookup. Any other model name is used as
/// written: an exact name or a pattern with <c>*</c>.
/// </remarks>
internal static class PublishedModelNames
{
    private static readonly FrozenDictionary<string, string[]> Patterns = new Dictionary<string, string[]>
    {
        ["(all)"] = ["*"],
        ["paid models"] = ["*"],
        ["*:free models"] = ["*:free"],
        ["Claude Sonnet 4.x (4.6/4.5/4 combined)"] = ["claude-sonnet-4*"],
        ["Claude Opus 4.x (4.7/4.6/4.5/4.1/4 combined)"] = ["claude-opus-4*"],
        ["Claude Haiku 4.5"] = ["claude-haiku-4-5*"],
        ["Claude Haiku 3.5 (deprecated; cache reads count toward ITPM)"] = ["claude-3-5-haiku*"],
        ["Message Batches API (all models)"] = [],
        ["gpt-4.1 (long context, >128k input tokens)"] = [],
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The patterns a prose name stands for; false when <paramref name="model"/> is not one of the table's prose names.</summary>
    public static bool TryGetPatterns(string model, out string[] patterns) =>
        Patterns.TryGetValue(model.Trim(), out patterns!);

    /// <summary>Whether a model name is prose (has spaces) rather than a model name or pattern.</summary>
    public static bool IsProse(string model) => model.AsSpan().Trim().ContainsAny([' ', '\t']);
}
