using FastBucket.Catalog;
using FastBucket.Providers;

namespace FastBucket.Llm.Tests.Catalog;

public sealed class CatalogOverrideTests
{
    [Fact]
    public void Load_UserEntry_OverridesTheEmbeddedOneAndKeepsTheRest()
    {
        using var file = new TempCatalogFile("""
            [{"provider": "openai", "model": "gpt-4o-mini", "tier": "tier-1", "rpm": 100, "tpm": 50000, "source": "my account page", "as_of": "2026-01-02"}]
            """);

        LimitsCatalog catalog = LimitsCatalog.Load(file.Path);

        CatalogEntry? mine = catalog.Find(LlmProvider.OpenAI, "gpt-4o-mini-2024-07-18");
        Assert.NotNull(mine);
        Assert.Equal(100, mine.Limits.RequestsPerMinute);
        Assert.Null(mine.Limits.RequestsPerDay);
        Assert.Equal(file.Path, mine.Origin);
        Assert.Equal("2026-01-02", mine.AsOf);
        Assert.Equal(5000, catalog.Find(LlmProvider.OpenAI, "gpt-4o-mini", "tier-2")?.Limits.RequestsPerMinute);
        Assert.Equal(LimitsCatalog.Default.Entries.Count + 1, catalog.Entries.Count);
        Assert.Same(mine, catalog.Entries[0]);
    }

    [Fact]
    public void Load_UserWildcard_WinsOverTheEmbeddedExactName()
    {
        using var file = new TempCatalogFile("""[{"provider": "openai", "model": "gpt-4o*", "rpm": 42}]""");

        LimitsCatalog catalog = LimitsCatalog.Load(file.Path);

        Assert.Equal(42, catalog.Find(LlmProvider.OpenAI, "gpt-4o-mini")?.Limits.RequestsPerMinute);
        Assert.Equal(500, catalog.Find(LlmProvider.OpenAI, "gpt-4.1")?.Limits.RequestsPerMinute);
    }

    [Fact]
    public void Find_WithinOneFile_PrefersExactThenFamilyThenLongestWildcardThenExactTier()
    {
        using var file = new TempCatalogFile("""
            [
              {"provider": "openai", "model": "*", "rpm": 1},
              {"provider": "openai", "model": "gpt-*", "rpm": 2},
              {"provider": "openai", "model": "gpt-4o*", "rpm": 3},
              {"provider": "openai", "model": "gpt-4o-mini", "rpm": 4},
              {"provider": "openai", "model": "gpt-4o-mini", "tier": "tier-2", "rpm": 5},
              {"provider": "openai", "model": "gpt-4o-mini-2024-07-18", "rpm": 6}
            ]
            """);
        LimitsCatalog catalog = LimitsCatalog.Load(file.Path);

        Assert.Equal(6, Rpm(catalog, "gpt-4o-mini-2024-07-18", "tier-2"));
        Assert.Equal(5, Rpm(catalog, "gpt-4o-mini-2025-01-01", "tier-2"));
        Assert.Equal(4, Rpm(catalog, "gpt-4o-mini-2025-01-01", "tier-1"));
        Assert.Equal(3, Rpm(catalog, "gpt-4o-audio-preview", null));
        Assert.Equal(2, Rpm(catalog, "gpt-5", null));
        Assert.Equal(1, Rpm(catalog, "o3", null));
    }

    [Fact]
    public void WithFile_LaterFile_OverridesEarlierFile()
    {
        using var first = new TempCatalogFile("""[{"provider": "anthropic", "model": "claude-*", "tier": "tier-1", "rpm": 10}]""");
        using var second = new TempCatalogFile("""[{"provider": "anthropic", "model": "claude-*", "tier": "tier-1", "rpm": 20}]""");

        LimitsCatalog catalog = LimitsCatalog.Load(first.Path).WithFile(second.Path);

        Assert.Equal(20, catalog.Find(LlmProvider.Anthropic, "claude-sonnet-4-5")?.Limits.RequestsPerMinute);
        Assert.Equal(second.Path, catalog.Entries[0].Origin);
    }

    [Fact]
    public void Load_EntryWithoutTier_AppliesToEveryTier()
    {
        using var file = new TempCatalogFile("""[{"provider": "groq", "model": "llama-3.3-70b-versatile", "rpm": 30, "tpd": 100000, "max_concurrency": 4}]""");

        LimitsCatalog catalog = LimitsCatalog.Load(file.Path);

        CatalogEntry? entry = catalog.Find(LlmProvider.Groq, "llama-3.3-70b-versatile", "dev");
        Assert.NotNull(entry);
        Assert.True(entry.AppliesToAnyTier);
        Assert.Equal("any", entry.Tier);
        Assert.Equal(100_000, entry.Limits.TokensPerDay);
        Assert.Equal(4, entry.Limits.MaxConcurrency);
        Assert.Same(entry, catalog.Find(LlmProvider.Groq, "llama-3.3-70b-versatile"));
    }

    [Fact]
    public void Load_ProviderSpellingsAndFieldCase_AreAccepted()
    {
        using var file = new TempCatalogFile("""
            // comments and trailing commas are tolerated in hand-written files
            [{"Provider": "Google", "Model": "gemini-2.5-pro", "Tier": "Tier 1", "RPM": 7,},]
            """);

        CatalogEntry? entry = LimitsCatalog.Load(file.Path).Find(LlmProvider.Gemini, "gemini-2.5-pro", "tier-1");

        Assert.Equal(7, entry?.Limits.RequestsPerMinute);
        Assert.Equal("gemini", entry?.Provider);
    }

    [Fact]
    public void CreateDefaultFrom_VariableNamesAFile_AppliesIt()
    {
        using var file = new TempCatalogFile("""[{"provider": "openai", "model": "gpt-4o-mini", "tier": "tier-1", "rpm": 77}]""");

        LimitsCatalog catalog = LimitsCatalog.CreateDefaultFrom(name => name == "FASTBUCKET_LIMITS" ? file.Path : null);

        Assert.Equal(77, catalog.Find(LlmProvider.OpenAI, "gpt-4o-mini")?.Limits.RequestsPerMinute);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void CreateDefaultFrom_VariableUnset_IsTheEmbeddedTable(string? value) =>
        Assert.Same(LimitsCatalog.Default, LimitsCatalog.CreateDefaultFrom(_ => value));

    [Fact]
    public void CreateDefaultFrom_VariableNamesAMissingFile_ThrowsNamingTheVariableAndPath()
    {
        string missing = Path.Combine(Path.GetTempPath(), "fastbucket-missing-" + Guid.NewGuid().ToString("N"), "limits.json");

        LimitsCatalogException error = Assert.Throws<LimitsCatalogException>(() => LimitsCatalog.CreateDefaultFrom(_ => missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("FASTBUCKET_LIMITS", error.Message, StringComparison.Ordinal);
        Assert.Contains("was not found", error.Message, StringComparison.Ordinal);
        Assert.Equal(missing, error.Origin);
    }

    private static long? Rpm(LimitsCatalog catalog, string model, string? tier) =>
        catalog.Find(LlmProvider.OpenAI, model, tier)?.Limits.RequestsPerMinute;
}
