namespace FastBucket.Catalog;

/// <summary>How tier names compare: "Tier 1", "tier-1", "tier_1", "TIER1" and "1" are the same tier.</summary>
internal static class TierName
{
    /// <summary>The tier of an entry that states none: it applies to every tier.</summary>
    public const string Any = "any";

    /// <summary>Whether a tier as written means "every tier" (absent, "any", "all" or "*").</summary>
    public static bool IsAny(string? tier) =>
        string.IsNullOrWhiteSpace(tier) || Key(tier) is "any" or "all" or "*";

    /// <summary>The comparison key: lower case without spaces, hyphens or underscores; a bare number n means "tier n".</summary>
    public static string Key(string tier)
    {
        var key = new System.Text.StringBuilder(tier.Length + 4);
        foreach (char c in tier)
        {
            if (!char.IsWhiteSpace(c) && c is not '-' and not '_')
            {
                key.Append(char.ToLowerInvariant(c));
            }
        }

        string text = key.ToString();
        return text.Length > 0 && text.All(char.IsAsciiDigit) ? "tier" + text : text;
    }
}
