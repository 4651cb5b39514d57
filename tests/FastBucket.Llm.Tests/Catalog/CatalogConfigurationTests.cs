using System.Text;
using FastBucket.Catalog;
using FastBucket.Providers;
using Microsoft.Extensions.Configuration;

namespace FastBucket.Llm.Tests.Catalog;

public sealed class CatalogConfigurationTests
{
    private const string AppSettings = """
        {
          "FastBucket": {
            "Limits": {
              "Tiers": { "openai": "tier-3", "anthropic": "Tier 2" },
              "Entries": [
                { "Provider": "openai", "Model": "gpt-4o-mini", "Tier": "tier-3", "Rpm": 4000, "Tpm": 3000000, "Source": "account limits page" },
                { "Provider": "azure-openai", "Model": "my-gpt4o-deployment", "Rpm": 300, "Tpm": 50000, "MaxConcurrency": 8 }
              ]
            }
          }
        }
        """;

    [Fact]
    public void FromConfiguration_JsonSection_AppliesEntriesAndTiers()
    {
        IConfigurationSection section = Json(AppSettings).GetSection(FastBucketLimitsOptions.SectionName);

        LimitsCatalog catalog = LimitsCatalog.FromConfiguration(section);

        CatalogEntry? mine = catalog.Find(LlmProvider.OpenAI, "gpt-4o-mini-2024-07-18");
        Assert.Equal(4000, mine?.Limits.RequestsPerMinute);
        Assert.Equal("FastBucket:Limits", mine?.Origin);
        Assert.Equal("account limits page", mine?.Source);
        Assert.Equal(8, catalog.Find(LlmProvider.AzureOpenAI, "my-gpt4o-deployment")?.Limits.MaxConcurrency);
        Assert.Equal(450_000, catalog.Find(LlmProvider.Anthropic, "claude-haiku-4-5")?.Limits.InputTokensPerMinute);
        Assert.Equal(5000, catalog.Find(LlmProvider.OpenAI, "gpt-4.1")?.Limits.RequestsPerMinute);
    }

    [Fact]
    public void FromOptions_BoundByTheConfigurationBinder_MatchesFromConfiguration()
    {
        IConfigurationSection section = Json(AppSettings).GetSection(FastBucketLimitsOptions.SectionName);
        FastBucketLimitsOptions options = section.Get<FastBucketLimitsOptions>()!;

        LimitsCatalog catalog = LimitsCatalog.FromOptions(options);

        Assert.Equal(2, options.Entries.Count);
        Assert.Equal("tier-3", catalog.GetDefaultTier(LlmProvider.OpenAI));
        Assert.Equal(4000, catalog.Find(LlmProvider.OpenAI, "gpt-4o-mini")?.Limits.RequestsPerMinute);
        Assert.Equal("FastBucketLimitsOptions", catalog.Entries[0].Origin);
    }

    [Fact]
    public void FromConfiguration_InMemoryFileKey_LoadsTheFileUnderTheEntries()
    {
        using var file = new TempCatalogFile("""[{"provider": "openai", "model": "gpt-4o*", "rpm": 11}, {"provider": "openai", "model": "gpt-5", "rpm": 12}]""");
        IConfiguration configuration = InMemory(new()
        {
            ["FastBucket:Limits:File"] = file.Path,
            ["FastBucket:Limits:Entries:0:Provider"] = "openai",
            ["FastBucket:Limits:Entries:0:Model"] = "gpt-4o*",
            ["FastBucket:Limits:Entries:0:Rpm"] = "13",
        });

        LimitsCatalog catalog = LimitsCatalog.FromConfiguration(configuration.GetSection("FastBucket:Limits"));

        Assert.Equal(13, catalog.Find(LlmProvider.OpenAI, "gpt-4o")?.Limits.RequestsPerMinute);
        Assert.Equal(12, catalog.Find(LlmProvider.OpenAI, "gpt-5")?.Limits.RequestsPerMinute);
    }

    [Fact]
    public void FromConfiguration_EmptySection_IsTheEmbeddedTable()
    {
        LimitsCatalog catalog = LimitsCatalog.FromConfiguration(InMemory([]).GetSection("FastBucket:Limits"));

        Assert.Equal(LimitsCatalog.Default.Entries.Count, catalog.Entries.Count);
    }

    [Theory]
    [InlineData("Rpm", "abc")]
    [InlineData("Tpm", "2.5")]
    [InlineData("MaxConcurrency", "lots")]
    public void FromConfiguration_NonNumericLimit_ThrowsNamingPathEntryAndValue(string key, string value)
    {
        IConfiguration configuration = InMemory(new()
        {
            ["FastBucket:Limits:Entries:0:Provider"] = "openai",
            ["FastBucket:Limits:Entries:0:Model"] = "gpt-4o",
            ["FastBucket:Limits:Entries:1:Provider"] = "openai",
            ["FastBucket:Limits:Entries:1:Model"] = "gpt-4.1",
            [$"FastBucket:Limits:Entries:1:{key}"] = value,
        });

        LimitsCatalogException error = Assert.Throws<LimitsCatalogException>(() =>
            LimitsCatalog.FromConfiguration(configuration.GetSection("FastBucket:Limits")));

        Assert.Contains("configuration 'FastBucket:Limits:Entries:1' (openai gpt-4.1)", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{key}' is '{value}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.EntryIndex);
    }

    [Fact]
    public void FromConfiguration_NegativeLimit_ThrowsNamingPathEntryAndValue()
    {
        IConfiguration configuration = InMemory(new()
        {
            ["FastBucket:Limits:Entries:0:Provider"] = "anthropic",
            ["FastBucket:Limits:Entries:0:Model"] = "claude-*",
            ["FastBucket:Limits:Entries:0:Itpm"] = "-5",
        });

        LimitsCatalogException error = Assert.Throws<LimitsCatalogException>(() =>
            LimitsCatalog.FromConfiguration(configuration.GetSection("FastBucket:Limits")));

        Assert.Equal(
            "configuration 'FastBucket:Limits:Entries:0' (anthropic claude-*): 'itpm' is -5; a limit must be a whole number from 1 to 9223372036854775807, or null for no limit.",
            error.Message);
    }

    [Fact]
    public void FromConfiguration_UnknownProviderOrMissingModel_ThrowsNamingTheEntry()
    {
        IConfiguration unknown = InMemory(new()
        {
            ["FastBucket:Limits:Entries:0:Provider"] = "openia",
            ["FastBucket:Limits:Entries:0:Model"] = "gpt-4o",
            ["FastBucket:Limits:Entries:0:Rpm"] = "5",
        });
        IConfiguration missingModel = InMemory(new()
        {
            ["FastBucket:Limits:Entries:0:Provider"] = "openai",
            ["FastBucket:Limits:Entries:0:Rpm"] = "5",
        });

        LimitsCatalogException unknownError = Assert.Throws<LimitsCatalogException>(() => LimitsCatalog.FromConfiguration(unknown.GetSection("FastBucket:Limits")));
        LimitsCatalogException modelError = Assert.Throws<LimitsCatalogException>(() => LimitsCatalog.FromConfiguration(missingModel.GetSection("FastBucket:Limits")));

        Assert.Contains("configuration 'FastBucket:Limits:Entries:0' (openia gpt-4o): unknown provider 'openia'", unknownError.Message, StringComparison.Ordinal);
        Assert.Contains("configuration 'FastBucket:Limits:Entries:0' (openai): 'model' is missing", modelError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConfiguration_TierForUnknownProvider_ThrowsNamingThePath()
    {
        IConfiguration configuration = InMemory(new() { ["FastBucket:Limits:Tiers:openia"] = "tier-2" });

        LimitsCatalogException error = Assert.Throws<LimitsCatalogException>(() =>
            LimitsCatalog.FromConfiguration(configuration.GetSection("FastBucket:Limits")));

        Assert.Contains("configuration 'FastBucket:Limits:Tiers:openia': unknown provider 'openia'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromOptions_InvalidEntry_ThrowsNamingTheOptionsEntry()
    {
        var options = new FastBucketLimitsOptions();
        options.Entries.Add(new LimitEntryOptions { Provider = "openai", Model = "gpt-4o", Rpm = 10 });
        options.Entries.Add(new LimitEntryOptions { Provider = "openai", Model = "gpt-4.1", Tpm = 0 });

        LimitsCatalogException error = Assert.Throws<LimitsCatalogException>(() => LimitsCatalog.FromOptions(options));

        Assert.StartsWith("FastBucketLimitsOptions.Entries[1] (openai gpt-4.1): 'tpm' is 0;", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.EntryIndex);
    }

    [Fact]
    public void FromConfiguration_FileKeyNamesAMissingFile_ThrowsNamingTheKeyAndPath()
    {
        string missing = Path.Combine(Path.GetTempPath(), "fastbucket-missing-" + Guid.NewGuid().ToString("N") + ".json");
        IConfiguration configuration = InMemory(new() { ["FastBucket:Limits:File"] = missing });

        LimitsCatalogException error = Assert.Throws<LimitsCatalogException>(() =>
            LimitsCatalog.FromConfiguration(configuration.GetSection("FastBucket:Limits")));

        Assert.Equal($"limits file '{missing}' (named by configuration 'FastBucket:Limits:File') was not found.", error.Message);
    }

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    private static IConfiguration InMemory(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
