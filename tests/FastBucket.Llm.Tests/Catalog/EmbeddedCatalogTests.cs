using System.Text.Json;
using FastBucket.Catalog;
using FastBucket.Providers;

namespace FastBucket.Llm.Tests.Catalog;

public sealed class EmbeddedCatalogTests
{
    private static readonly LimitsCatalog Catalog = LimitsCatalog.Default;

    [Fact]
    public void Default_EveryRowOfTheEmbeddedFile_LoadsWithItsValues()
    {
        // Read the resource independently of the catalog's reader, and compare row by row.
        using Stream stream = typeof(LimitsCatalog).Assembly.GetManifestResourceStream("FastBucket.Catalog.provider-limits.json")!;
        using JsonDocument rows = JsonDocument.Parse(stream);

        Assert.Equal(rows.RootElement.GetArrayLength(), Catalog.Entries.Count);
        int i = 0;
        foreach (JsonElement row in rows.RootElement.EnumerateArray())
        {
            CatalogEntry entry = Catalog.Entries[i++];
            Assert.Equal(row.GetProperty("model").GetString(), entry.Model);
            Assert.Equal(row.GetProperty("tier").GetString(), entry.Tier);
            Assert.Equal(row.GetProperty("source").GetString(), entry.Source);
            Assert.Equal(row.GetProperty("as_of").GetString(), entry.AsOf);
            Assert.Equal(Number(row, "rpm"), entry.Limits.RequestsPerMinute);
            Assert.Equal(Number(row, "tpm"), entry.Limits.TokensPerMinute);
            Assert.Equal(Number(row, "rpd"), entry.Limits.RequestsPerDay);
            Assert.Equal(Number(row, "itpm"), entry.Limits.InputTokensPerMinute);
            Assert.Equal(Number(row, "otpm"), entry.Limits.OutputTokensPerMinute);
            Assert.Equal(row.TryGetProperty("shared_as", out var shared) ? shared.GetString() : null, entry.SharedAs);
            Assert.Equal("embedded", entry.Origin);
        }
    }

    [Fact]
    public void Default_ProviderNames_AreTheCanonicalIds()
    {
        Assert.All(Catalog.Entries, entry => Assert.Contains(entry.Provider, LimitsCatalog.KnownProviders));
        Assert.Contains(Catalog.Entries, entry => entry.Provider == "deepseek");
    }

    [Fact]
    public void Default_ProseModelNames_AreAllKnownToThePatternTable()
    {
        // Guards against the data file gaining a prose row that would silently match nothing.
        IEnumerable<CatalogEntry> prose = Catalog.Entries.Where(entry => entry.Model.Contains(' ', StringComparison.Ordinal) || entry.Model.StartsWith('('));

        Assert.All(prose, entry => Assert.True(PublishedModelNames.TryGetPatterns(entry.Model, out _), entry.Model));
    }

    [Fact]
    public void Find_GptFourOMiniTierOne_HasThePublishedLimits()
    {
        CatalogEntry entry = Assert.IsType<CatalogEntry>(Catalog.Find(LlmProvider.OpenAI, "gpt-4o-mini", "tier-1"));

        Assert.Equal(500, entry.Limits.RequestsPerMinute);
        Assert.Equal(200_000, entry.Limits.TokensPerMinute);
        Assert.Equal(10_000, entry.Limits.RequestsPerDay);
        Assert.Null(entry.Limits.InputTokensPerMinute);
        Assert.StartsWith("https://developers.openai.com/", entry.Source, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(entry.AsOf));
    }

    [Theory]
    [InlineData("gpt-4o-mini")]
    [InlineData("gpt-4o-mini-2024-07-18")]
    [InlineData("GPT-4o-Mini")]
    [InlineData("ft:gpt-4o-mini-2024-07-18:my-org::abc123")]
    public void Find_NoTier_UsesTierOneAndSnapshotsFallBackToTheFamily(string model)
    {
        CatalogEntry? entry = Catalog.Find(LlmProvider.OpenAI, model);

        Assert.NotNull(entry);
        Assert.Equal("gpt-4o-mini", entry.Model);
        Assert.Equal("tier-1", entry.Tier);
    }

    [Theory]
    [InlineData("claude-sonnet-4-5-20250929", "Claude Sonnet 4.x (4.6/4.5/4 combined)", 30_000)]
    [InlineData("claude-sonnet-4-5", "Claude Sonnet 4.x (4.6/4.5/4 combined)", 30_000)]
    [InlineData("claude-opus-4-1-20250805", "Claude Opus 4.x (4.7/4.6/4.5/4.1/4 combined)", 30_000)]
    [InlineData("claude-haiku-4-5-20251001", "Claude Haiku 4.5", 50_000)]
    [InlineData("claude-3-5-haiku-20241022", "Claude Haiku 3.5 (deprecated; cache reads count toward ITPM)", 50_000)]
    public void Find_ClaudeSnapshots_ResolveToThePublishedFamilyRows(string model, string row, long itpm)
    {
        CatalogEntry? entry = Catalog.Find(LlmProvider.Anthropic, model);

        Assert.NotNull(entry);
        Assert.Equal(row, entry.Model);
        Assert.Equal(50, entry.Limits.RequestsPerMinute);
        Assert.Equal(itpm, entry.Limits.InputTokensPerMinute);
    }

    [Theory]
    [InlineData("tier-2")]
    [InlineData("Tier 2")]
    [InlineData("tier_2")]
    [InlineData("TIER2")]
    [InlineData("2")]
    public void Find_TierSpellings_AreTheSameTier(string tier)
    {
        CatalogEntry? entry = Catalog.Find("anthropic", "claude-haiku-4-5", tier);

        Assert.NotNull(entry);
        Assert.Equal(450_000, entry.Limits.InputTokensPerMinute);
        Assert.Equal(90_000, entry.Limits.OutputTokensPerMinute);
    }

    [Theory]
    [InlineData("gemini-2.5-flash", null, 10, 250)]
    [InlineData("models/gemini-2.5-flash", null, 10, 250)]
    [InlineData("gemini-2.5-flash", "tier-1", 1000, 10_000)]
    [InlineData("gemini-2.5-flash-lite", "free", 15, 1000)]
    public void Find_Gemini_DefaultsToTheFreeTier(string model, string? tier, long rpm, long rpd)
    {
        CatalogEntry? entry = Catalog.Find(LlmProvider.Gemini, model, tier);

        Assert.NotNull(entry);
        Assert.Equal(rpm, entry.Limits.RequestsPerMinute);
        Assert.Equal(rpd, entry.Limits.RequestsPerDay);
    }

    [Theory]
    [InlineData(null, 50)]
    [InlineData("purchased >= 10 credits", 1000)]
    public void Find_OpenRouterFreeModel_MatchesTheFreeWildcard(string? tier, long rpd)
    {
        CatalogEntry? entry = Catalog.Find(LlmProvider.OpenRouter, "meta-llama/llama-3.3-70b-instruct:free", tier);

        Assert.NotNull(entry);
        Assert.Equal("*:free models", entry.Model);
        Assert.Equal(20, entry.Limits.RequestsPerMinute);
        Assert.Equal(rpd, entry.Limits.RequestsPerDay);
    }

    [Theory]
    [InlineData("openai", "gpt-9-ultra")]
    [InlineData("openrouter", "openai/gpt-4o")]
    [InlineData("deepseek", "deepseek-chat")]
    [InlineData("groq", "llama-3.3-70b-versatile")]
    public void Find_OnlyRowsWithoutLimits_ReturnsNull(string provider, string model) =>
        Assert.Null(Catalog.Find(provider, model));

    [Fact]
    public void Find_GptFourOne_IgnoresTheLongContextBucket()
    {
        CatalogEntry? entry = Catalog.Find(LlmProvider.OpenAI, "gpt-4.1-2025-04-14");

        Assert.NotNull(entry);
        Assert.Equal("gpt-4.1", entry.Model);
        Assert.Equal(30_000, entry.Limits.TokensPerMinute);
    }

    [Fact]
    public void Find_UnknownProvider_ThrowsNamingTheParameterAndTheKnownProviders()
    {
        ArgumentException error = Assert.Throws<ArgumentException>("provider", () => Catalog.Find("openia", "gpt-4o"));

        Assert.Contains("'openia'", error.Message, StringComparison.Ordinal);
        Assert.Contains("openai, anthropic, gemini", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_EmptyModel_Throws() => Assert.Throws<ArgumentException>("model", () => Catalog.Find(LlmProvider.OpenAI, " "));

    [Fact]
    public void GetDefaultTier_PerProvider_IsTheDocumentedDefault()
    {
        Assert.Equal("tier-1", Catalog.GetDefaultTier(LlmProvider.OpenAI));
        Assert.Equal("tier-1", Catalog.GetDefaultTier(LlmProvider.Anthropic));
        Assert.Equal("free", Catalog.GetDefaultTier("google"));
        Assert.Equal("purchased < 10 credits", Catalog.GetDefaultTier(LlmProvider.OpenRouter));
        Assert.Null(Catalog.GetDefaultTier(LlmProvider.Groq));
    }

    [Fact]
    public void WithDefaultTier_AccountTier_ChangesLookupsWithoutATier()
    {
        LimitsCatalog tierThree = Catalog.WithDefaultTier("openai", "tier-3");

        CatalogEntry? entry = tierThree.Find(LlmProvider.OpenAI, "gpt-4o-mini");

        Assert.Equal(4_000_000, entry?.Limits.TokensPerMinute);
        Assert.Equal("tier-1", Catalog.GetDefaultTier(LlmProvider.OpenAI));
    }

    [Fact]
    public void List_ProviderAndModel_ListsEveryTierOfThatModelIncludingRowsWithoutLimits()
    {
        IReadOnlyList<CatalogEntry> listed = Catalog.List("openai", "gpt-4o-mini-2024-07-18");

        Assert.Equal(6, listed.Count(entry => entry.Model == "gpt-4o-mini"));
        Assert.Contains(listed, entry => entry.Model == "(all)" && !entry.HasLimits);
        Assert.DoesNotContain(listed, entry => entry.Model.StartsWith("gpt-4.1", StringComparison.Ordinal));
        Assert.All(listed, entry => Assert.Equal("openai", entry.Provider));
    }

    [Fact]
    public void List_NoFilter_ListsEverything() => Assert.Equal(Catalog.Entries.Count, Catalog.List().Count);

    [Fact]
    public void ToString_Entry_ShowsLimitsAndDate()
    {
        string text = Catalog.Find(LlmProvider.Anthropic, "claude-haiku-4-5")!.ToString();

        Assert.Equal("anthropic Claude Haiku 4.5 [tier-1]: rpm 50 itpm 50000 otpm 10000 shared as claude-haiku-4-5 (as of 2026-04-23)", text);
    }

    private static long? Number(JsonElement row, string name) =>
        row.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;
}
