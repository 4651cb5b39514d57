using FastBucket.Catalog;
using FastBucket.Providers;
using FastBucket.Quotas;
using FsCheck;
using FsCheck.Xunit;
using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;

namespace FastBucket.Llm.Tests.Catalog;

/// <summary>Limits files in YAML (provider, model, limits), read wherever JSON limits files are.</summary>
public sealed class CatalogYamlTests
{
    private const string SeedShape = """
        # Limits per provider and model.
        openai:
          gpt-4:
            requests_per_minute: 200
            tokens_per_minute: 40000
          gpt-4o*:
            tier: tier-3
            requests_per_minute: 5_000
            tokens_per_day: 100000000
            max_concurrency: 64
        anthropic:
          claude-sonnet-4-5:
            requests_per_minute: 50
            input_tokens_per_minute: 30000
            output_tokens_per_minute: 8000
            requests_per_day: ~
            source: our account page
        """;

    [Fact]
    public void Load_SeedShape_ReadsEveryDimensionOfEveryEntry()
    {
        using var file = new TempCatalogFile(SeedShape, "limits.yaml");

        LimitsCatalog catalog = LimitsCatalog.Load(file.Path);

        Assert.Equal(new QuotaLimits { RequestsPerMinute = 200, TokensPerMinute = 40_000 }, catalog.Find(LlmProvider.OpenAI, "gpt-4")!.Limits);
        Assert.Equal(
            new QuotaLimits { RequestsPerMinute = 5_000, TokensPerDay = 100_000_000, MaxConcurrency = 64 },
            catalog.Find(LlmProvider.OpenAI, "gpt-4o-mini", "tier-3")!.Limits);
        var claude = catalog.Find(LlmProvider.Anthropic, "claude-sonnet-4-5")!;
        Assert.Equal(new QuotaLimits { RequestsPerMinute = 50, InputTokensPerMinute = 30_000, OutputTokensPerMinute = 8_000 }, claude.Limits);
        Assert.Equal("our account page", claude.Source);
        Assert.Equal(file.Path, claude.Origin);
    }

    [Fact]
    public void Load_ShortNamesAndYmlExtension_ReadLikeTheJsonCatalog()
    {
        using var file = new TempCatalogFile("groq:\n  llama-3.1-8b-instant: {rpm: 30, tpm: 6000, rpd: 14400, tpd: 500000}\n", "limits.yml");

        var entry = LimitsCatalog.Load(file.Path).Find(LlmProvider.Groq, "llama-3.1-8b-instant")!;

        Assert.Equal(new QuotaLimits { RequestsPerMinute = 30, TokensPerMinute = 6_000, RequestsPerDay = 14_400, TokensPerDay = 500_000 }, entry.Limits);
    }

    [Fact]
    public void Load_YamlWithoutExtension_IsToldFromJsonByItsFirstCharacter()
    {
        using var yaml = new TempCatalogFile("openai:\n  gpt-4:\n    requests_per_minute: 7\n", "limits");
        using var json = new TempCatalogFile("""[{"provider": "openai", "model": "gpt-4", "rpm": 9}]""", "limits");

        Assert.Equal(7, LimitsCatalog.Load(yaml.Path).Find(LlmProvider.OpenAI, "gpt-4")!.Limits.RequestsPerMinute);
        Assert.Equal(9, LimitsCatalog.Load(json.Path).Find(LlmProvider.OpenAI, "gpt-4")!.Limits.RequestsPerMinute);
    }

    [Fact]
    public void Load_EmptyOrCommentOnlyYaml_AddsNothing()
    {
        using var file = new TempCatalogFile("# nothing yet\n", "limits.yaml");

        Assert.Equal(LimitsCatalog.Default.Entries.Count, LimitsCatalog.Load(file.Path).Entries.Count);
    }

    [Fact]
    public void CreateDefaultFrom_VariableNamesAYamlFile_AppliesIt()
    {
        using var file = new TempCatalogFile(SeedShape, "limits.yaml");

        LimitsCatalog catalog = LimitsCatalog.CreateDefaultFrom(name => name == LimitsCatalog.EnvironmentVariable ? file.Path : null);

        Assert.Equal(200, catalog.Find(LlmProvider.OpenAI, "gpt-4")!.Limits.RequestsPerMinute);
    }

    [Fact]
    public void FromConfiguration_FileIsYaml_AppliesIt()
    {
        using var file = new TempCatalogFile(SeedShape, "limits.yaml");
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["FastBucket:Limits:File"] = file.Path })
            .Build();

        LimitsCatalog catalog = LimitsCatalog.FromConfiguration(configuration.GetSection(FastBucketLimitsOptions.SectionName));

        Assert.Equal(40_000, catalog.Find(LlmProvider.OpenAI, "gpt-4")!.Limits.TokensPerMinute);
    }

    public static TheoryData<string, string> InvalidFiles => new()
    {
        { "openai:\n  gpt-4:\n    requests_per_minute: lots\n", ", line 2, entry openai/gpt-4, line 3: 'requests_per_minute' is 'lots'; a limit must be a whole number from 1 to 9223372036854775807, or null for no limit." },
        { "openai:\n  gpt-4:\n    requests_per_minute: 0\n", ", line 2, entry openai/gpt-4, line 3: 'requests_per_minute' is '0'; a limit must be a whole number" },
        { "openai:\n  gpt-4:\n    tokens_per_minute: 1.5\n", ", line 2, entry openai/gpt-4, line 3: 'tokens_per_minute' is '1.5';" },
        { "openai:\n  gpt-4:\n    max_concurrency: 3000000000\n", ", line 2, entry openai/gpt-4, line 3: 'max_concurrency' is '3000000000'; a limit must be a whole number from 1 to 2147483647" },
        { "openai:\n  gpt-4:\n    request_per_minute: 200\n", ", line 2, entry openai/gpt-4, line 3: unknown field 'request_per_minute'; expected requests_per_minute," },
        { "openai:\n  gpt-4:\n    requests_per_minute: [1, 2]\n", ", line 2, entry openai/gpt-4, line 3: 'requests_per_minute' is a sequence;" },
        { "openia:\n  gpt-4:\n    requests_per_minute: 200\n", ", line 2, entry openia/gpt-4 (openia gpt-4): unknown provider 'openia'; expected one of openai," },
        { "openai:\n  gpt 4:\n    requests_per_minute: 200\n", ", line 2, entry openai/gpt 4 (openai gpt 4): model 'gpt 4' is not a model name or pattern (it contains spaces)." },
        { "openai:\n  - gpt-4\n", ", line 1, provider 'openai': expected a mapping of models to limits, but found a sequence (line 2)." },
        { "- openai\n", ", line 1: expected a mapping of providers to models, but found a sequence (line 1)." },
        { "openai:\n  gpt-4: 200\n", ", line 2, entry openai/gpt-4: expected a mapping of limits such as 'requests_per_minute: 200', but found '200' (line 2)." },
        { "openai:\n  gpt-4:\n    rpm: 1\n  gpt-4:\n    rpm: 2\n", ", line 4: 'gpt-4' appears twice under " },
        { "openai:\n  gpt-4:\n    rpm: 1\n    requests_per_minute: 2\n", ", line 2, entry openai/gpt-4, line 4: 'requests_per_minute' is given twice." },
        { "base: &b\n  rpm: 1\nopenai:\n  gpt-4: *b\n", ", line 1: YAML anchors are not supported in a limits file; write the limits out." },
        { "openai:\n  gpt-4:\n    rpm: 1\n---\nopenai: {}\n", ": a limits file holds one YAML document." },
    };

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public void Load_InvalidYaml_ThrowsNamingTheFileTheLineAndTheEntry(string yaml, string expected)
    {
        using var file = new TempCatalogFile(yaml, "limits.yaml");

        LimitsCatalogException error = Assert.Throws<LimitsCatalogException>(() => LimitsCatalog.Load(file.Path));

        Assert.StartsWith($"limits file '{file.Path}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(file.Path, error.Origin);
    }

    [Fact]
    public void Load_YamlSyntaxError_ThrowsNamingFileLineAndColumnWrappingTheYamlError()
    {
        using var file = new TempCatalogFile("openai:\n  gpt-4:\n    requests_per_minute: 200\n   tokens_per_minute: [\n", "limits.yaml");

        LimitsCatalogException error = Assert.Throws<LimitsCatalogException>(() => LimitsCatalog.Load(file.Path));

        Assert.StartsWith($"limits file '{file.Path}' is not valid YAML at line ", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<YamlException>(error.InnerException);
    }

    [Fact]
    public void Load_NotUtf8_ThrowsNamingTheFile()
    {
        using var file = new TempCatalogFile(string.Empty, "limits.yaml");
        File.WriteAllBytes(file.Path, [0x6f, 0x70, 0xff, 0xfe, 0x3a]);

        LimitsCatalogException error = Assert.Throws<LimitsCatalogException>(() => LimitsCatalog.Load(file.Path));

        Assert.Equal($"limits file '{file.Path}' is not UTF-8 text.", error.Message);
    }

    [Fact]
    public void Load_DeeplyNestedYaml_ThrowsInsteadOfRecursingWithoutBound()
    {
        string nested = string.Concat(Enumerable.Repeat("[", 10_000));
        using var file = new TempCatalogFile("openai: " + nested, "limits.yaml");

        Assert.Throws<LimitsCatalogException>(() => LimitsCatalog.Load(file.Path));
    }

    [Property(MaxTest = 300)]
    public void Load_AnyMutationOfAValidFile_EitherLoadsOrThrowsLimitsCatalogException(NonNegativeInt position, char replacement, bool delete)
    {
        int at = position.Get % SeedShape.Length;
        string mutated = delete ? SeedShape.Remove(at, 1) : SeedShape.Remove(at, 1).Insert(at, replacement.ToString());
        using var file = new TempCatalogFile(mutated, "limits.yaml");

        try
        {
            LimitsCatalog.Load(file.Path);
        }
        catch (LimitsCatalogException)
        {
            // Reported with its place: the only failure an untrusted file may cause.
        }
    }

    [Property(MaxTest = 300)]
    public void Load_ArbitraryText_EitherLoadsOrThrowsLimitsCatalogException(string? text)
    {
        using var file = new TempCatalogFile(text ?? string.Empty, "limits.yaml");

        try
        {
            LimitsCatalog.Load(file.Path);
        }
        catch (LimitsCatalogException)
        {
            // Reported with its place: the only failure an untrusted file may cause.
        }
    }
}
