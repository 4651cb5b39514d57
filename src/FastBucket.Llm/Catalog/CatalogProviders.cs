using System.Collections.Frozen;
using FastBucket.Providers;

namespace FastBucket.Catalog;

/// <summary>
/// The provider names a catalog may use, their spellings, and the tier assumed when none is given.
/// </summary>
/// <remarks>
/// The known providers are those of <see cref="LlmProvider"/> plus <c>deepseek</c>, which the published table lists
/// (an OpenAI-compatible API that FastBucket reaches as <see cref="LlmProvider.Generic"/>). Spellings ignore letter
/// case, spaces, hyphens and underscores; <c>google</c> means <c>gemini</c> and <c>azure</c> means
/// <c>azure-openai</c>.
/// Default tiers are the most conservative tier one can be on with an ordinary paid or free key: OpenAI and
/// Anthropic <c>tier-1</c>, Gemini <c>free</c>, OpenRouter <c>purchased &lt; 10 credits</c>; the others have
/// none (only entries that apply to any tier match).
/// </remarks>
internal static class CatalogProviders
{
    /// <summary>The canonical provider ids, in display order.</summary>
    public static readonly IReadOnlyList<string> Ids =
        ["openai", "anthropic", "gemini", "openrouter", "azure-openai", "groq", "generic", "deepseek"];

    private static readonly FrozenDictionary<string, string> BySpelling = new Dictionary<string, string>
    {
        ["openai"] = "openai",
        ["anthropic"] = "anthropic",
        ["gemini"] = "gemini",
        ["google"] = "gemini",
        ["googlegemini"] = "gemini",
        ["openrouter"] = "openrouter",
        ["azureopenai"] = "azure-openai",
        ["azure"] = "azure-openai",
        ["groq"] = "groq",
        ["generic"] = "generic",
        ["deepseek"] = "deepseek",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The tier assumed per provider when a lookup names none.</summary>
    public static readonly FrozenDictionary<string, string> DefaultTiers = new Dictionary<string, string>
    {
        ["openai"] = "tier-1",
        ["anthropic"] = "tier-1",
        ["gemini"] = "free",
        ["openrouter"] = "purchased < 10 credits",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The canonical id of a <see cref="LlmProvider"/>.</summary>
    public static string IdOf(LlmProvider provider) => provider switch
    {
        LlmProvider.OpenAI => "openai",
        LlmProvider.Anthropic => "anthropic",
        LlmProvider.Gemini => "gemini",
        LlmProvider.OpenRouter => "openrouter",
        LlmProvider.AzureOpenAI => "azure-openai",
        LlmProvider.Groq => "groq",
        _ => "generic",
    };

    /// <summary>The <see cref="LlmProvider"/> a spelling names (<c>deepseek</c> and <c>generic</c>: <see cref="LlmProvider.Generic"/>), or <see langword="null"/> when it names none.</summary>
    public static LlmProvider? TryGetProvider(string? name) => TryResolve(name) switch
    {
        null => null,
        "openai" => LlmProvider.OpenAI,
        "anthropic" => LlmProvider.Anthropic,
        "gemini" => LlmProvider.Gemini,
        "openrouter" => LlmProvider.OpenRouter,
        "azure-openai" => LlmProvider.AzureOpenAI,
        "groq" => LlmProvider.Groq,
        _ => LlmProvider.Generic,
    };

    /// <summary>The canonical id for a spelling, or <see langword="null"/> when the provider is not known.</summary>
    public static string? TryResolve(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        Span<char> key = name.Length <= 64 ? stackalloc char[name.Length] : new char[name.Length];
        int length = 0;
        foreach (char c in name)
        {
            if (!char.IsWhiteSpace(c) && c is not '-' and not '_')
            {
                key[length++] = char.ToLowerInvariant(c);
            }
        }

        return BySpelling.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key[..length], out string? id) ? id : null;
    }

    /// <summary>The list of known ids, for error messages.</summary>
    public static string Describe() => string.Join(", ", Ids);
}
