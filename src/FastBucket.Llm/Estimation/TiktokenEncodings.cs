using Microsoft.ML.Tokenizers;

namespace FastBucket.Estimation;

/// <summary>Which encoding an OpenAI model uses, and one shared tokenizer per encoding.</summary>
/// <remarks>
/// Each tokenizer loads a vocabulary of several megabytes, so it is created once, on first use, and shared;
/// <see cref="Tokenizer"/> instances are safe to use from many threads.
/// </remarks>
internal static class TiktokenEncodings
{
    private static readonly Lazy<TokenCounter> O200k = new(
        () => new TokenCounter(TiktokenTokenizer.CreateForEncoding("o200k_base")), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<TokenCounter> Cl100k = new(
        () => new TokenCounter(TiktokenTokenizer.CreateForEncoding("cl100k_base")), LazyThreadSafetyMode.ExecutionAndPublication);

    // Order matters: "gpt-4o" and "gpt-4.1" must be tried before the cl100k "gpt-4" family.
    private static readonly string[] O200kFamilies =
    [
        "gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "gpt-oss", "codex", "omni-moderation",
    ];

    private static readonly string[] Cl100kFamilies =
    [
        "gpt-4", "gpt-3.5", "gpt-35", "text-embedding-ada-002", "text-embedding-3", "davinci-002", "babbage-002",
    ];

    /// <summary>The counter for an encoding.</summary>
    public static TokenCounter Get(TiktokenEncoding encoding) => encoding switch
    {
        TiktokenEncoding.Cl100kBase => Cl100k.Value,
        _ => O200k.Value,
    };

    /// <summary>
    /// The encoding of an OpenAI model, or <see langword="null"/> when the model is not one FastBucket knows.
    /// Accepts dated snapshots (<c>gpt-4o-2024-08-06</c>), fine-tunes (<c>ft:gpt-4o-mini-2024-07-18:org::id</c>),
    /// OpenRouter names (<c>openai/gpt-4o</c>) and any letter case.
    /// </summary>
    public static TiktokenEncoding? ForModel(string? model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return null;
        }

        ReadOnlySpan<char> name = model.AsSpan().Trim();
        if (name.StartsWith("ft:", StringComparison.OrdinalIgnoreCase))
        {
            name = name[3..];
            int colon = name.IndexOf(':');
            if (colon >= 0)
            {
                name = name[..colon];
            }
        }

        int slash = name.LastIndexOf('/');
        if (slash >= 0)
        {
            name = name[(slash + 1)..];
        }

        if (IsInFamily(name, O200kFamilies))
        {
            return TiktokenEncoding.O200kBase;
        }

        return IsInFamily(name, Cl100kFamilies) ? TiktokenEncoding.Cl100kBase : null;
    }

    private static bool IsInFamily(ReadOnlySpan<char> name, string[] families)
    {
        foreach (string family in families)
        {
            // A family matches the whole name or a prefix that ends at a separator: "o1" and "o1-mini", not "o100".
            if (name.StartsWith(family, StringComparison.OrdinalIgnoreCase)
                && (name.Length == family.Length || !char.IsAsciiLetterOrDigit(name[family.Length])))
            {
                return true;
            }
        }

        return false;
    }
}
