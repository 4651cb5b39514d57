using System.Text.RegularExpressions;

namespace FastBucket.Catalog;

/// <summary>
/// How a model name asked for is matched against catalog patterns: letter case ignored, a dated snapshot falls back
/// to its family, and <c>*</c> in a pattern stands for any run of characters.
/// </summary>
internal static partial class ModelName
{
    /// <summary>How well a pattern matches a model name; higher is better, <see cref="None"/> is no match.</summary>
    public enum MatchKind
    {
        /// <summary>No match.</summary>
        None = 0,

        /// <summary>A wildcard pattern matched.</summary>
        Wildcard,

        /// <summary>The pattern is the model's family (the name without its snapshot date or fine-tune suffix).</summary>
        Family,

        /// <summary>The pattern is the model name itself.</summary>
        Exact,
    }

    /// <summary>
    /// The names a model is known by, most specific first: the name itself (lower case, without Gemini's
    /// <c>models/</c> prefix), the base model of a fine-tune (<c>ft:gpt-4o-mini-2024-07-18:org::id</c>), and the
    /// family without a snapshot suffix (<c>-2024-07-18</c>, <c>-20250929</c>, <c>-latest</c>).
    /// </summary>
    public static IReadOnlyList<string> Candidates(string model)
    {
        string name = model.Trim().ToLowerInvariant();
        if (name.StartsWith("models/", StringComparison.Ordinal))
        {
            name = name["models/".Length..];
        }

        var candidates = new List<string>(3) { name };
        string baseModel = name;
        if (baseModel.StartsWith("ft:", StringComparison.Ordinal))
        {
            baseModel = baseModel[3..];
            int colon = baseModel.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                baseModel = baseModel[..colon];
            }

            AddDistinct(candidates, baseModel);
        }

        Match snapshot = SnapshotSuffix().Match(baseModel);
        if (snapshot.Success)
        {
            AddDistinct(candidates, baseModel[..snapshot.Index]);
        }

        return candidates;
    }

    /// <summary>How <paramref name="pattern"/> (lower case) matches the candidates of a model.</summary>
    public static MatchKind Match(string pattern, IReadOnlyList<string> candidates)
    {
        bool wildcard = pattern.Contains('*', StringComparison.Ordinal);
        for (int i = 0; i < candidates.Count; i++)
        {
            if (wildcard ? GlobMatches(pattern, candidates[i]) : string.Equals(pattern, candidates[i], StringComparison.Ordinal))
            {
                return wildcard ? MatchKind.Wildcard : i == 0 ? MatchKind.Exact : MatchKind.Family;
            }
        }

        return MatchKind.None;
    }

    /// <summary>The characters of a pattern other than <c>*</c>: a longer literal part is a more specific pattern.</summary>
    public static int LiteralLength(string pattern) => pattern.Length - pattern.Count(c => c == '*');

    /// <summary>Whether <paramref name="text"/> matches <paramref name="pattern"/>, where <c>*</c> matches any run of characters.</summary>
    public static bool GlobMatches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        // Greedy matching with one backtrack point: linear for the one-or-two-star patterns catalogs use.
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (p < pattern.Length && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static void AddDistinct(List<string> candidates, string name)
    {
        if (name.Length > 0 && !candidates.Contains(name))
        {
            candidates.Add(name);
        }
    }

    [GeneratedRegex(@"-(\d{4}-\d{2}-\d{2}|\d{8}|latest)$", RegexOptions.CultureInvariant)]
    private static partial Regex SnapshotSuffix();
}
