using System.Text.Json;
using FastBucket.Catalog;

namespace FastBucket.Llm.Tests.Catalog;

public sealed class CatalogFileErrorTests
{
    [Fact]
    public void Load_MissingFile_ThrowsNamingThePath()
    {
        string missing = Path.Combine(Path.GetTempPath(), "fastbucket-missing-" + Guid.NewGuid().ToString("N") + ".json");

        LimitsCatalogException error = Assert.Throws<LimitsCatalogException>(() => LimitsCatalog.Load(missing));

        Assert.Equal($"limits file '{missing}' was not found.", error.Message);
        Assert.IsType<FileNotFoundException>(error.InnerException);
    }

    [Fact]
    public void Load_Directory_ThrowsCouldNotBeRead()
    {
        using var file = new TempCatalogFile("[]");
        string directory = Path.GetDirectoryName(file.Path)!;

        LimitsCatalogException error = Assert.Throws<LimitsCatalogException>(() => LimitsCatalog.Load(directory));

        Assert.Contains($"limits file '{directory}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadJson_ThrowsNamingFileAndPositionWrappingTheJsonError()
    {
        using var file = new TempCatalogFile("[\n  {\"provider\": \"openai\", \"model\": \"gpt-4o\" \"rpm\": 5}\n]");

        LimitsCatalogException error = Assert.Throws<LimitsCatalogException>(() => LimitsCatalog.Load(file.Path));

        Assert.StartsWith($"limits file '{file.Path}' is not valid JSON at line 2, byte ", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(error.InnerException);
    }

    public static TheoryData<string, string> InvalidEntries => new()
    {
        { "{\"provider\": \"openai\"}", "must be a JSON array of entries, but it is an object." },
        { "[{\"provider\": \"openai\", \"model\": \"gpt-4o\", \"rpm\": 5}, 42]", ", entry [1] must be a JSON object, but it is 42." },
        { "[{\"provider\": \"openia\", \"model\": \"gpt-4o\", \"rpm\": 5}]", ", entry [0] (openia gpt-4o): unknown provider 'openia'; expected one of openai, anthropic, gemini, openrouter, azure-openai, groq, generic, deepseek." },
        { "[{\"model\": \"gpt-4o\", \"rpm\": 5}]", ", entry [0] (gpt-4o): 'provider' is missing;" },
        { "[{\"provider\": 7, \"model\": \"gpt-4o\"}]", ", entry [0]: 'provider' must be a string, but it is 7." },
        { "[{\"provider\": \"openai\", \"rpm\": 5}]", ", entry [0] (openai): 'model' is missing;" },
        { "[{\"provider\": \"openai\", \"model\": \"  \", \"rpm\": 5}]", ", entry [0] (openai): 'model' is missing;" },
        { "[{\"provider\": \"openai\", \"model\": \"gpt 4o\", \"rpm\": 5}]", ", entry [0] (openai gpt 4o): model 'gpt 4o' is not a model name or pattern (it contains spaces)." },
        { "[{\"provider\": \"openai\", \"model\": \"gpt-4o\", \"tier\": \"tier-1\", \"rpm\": -5}]", ", entry [0] (openai gpt-4o tier-1): 'rpm' is -5; a limit must be a whole number from 1 to 9223372036854775807, or null for no limit." },
        { "[{\"provider\": \"openai\", \"model\": \"gpt-4o\", \"tpm\": 0}]", ", entry [0] (openai gpt-4o): 'tpm' is 0;" },
        { "[{\"provider\": \"openai\", \"model\": \"gpt-4o\", \"rpd\": 2.5}]", ", entry [0] (openai gpt-4o): 'rpd' is 2.5;" },
        { "[{\"provider\": \"openai\", \"model\": \"gpt-4o\", \"rpm\": \"500\"}]", ", entry [0] (openai gpt-4o): 'rpm' is \"500\";" },
        { "[{\"provider\": \"openai\", \"model\": \"gpt-4o\", \"itpm\": true}]", ", entry [0] (openai gpt-4o): 'itpm' is true;" },
        { "[{\"provider\": \"openai\", \"model\": \"gpt-4o\", \"otpm\": {\"value\": 1}}]", ", entry [0] (openai gpt-4o): 'otpm' is an object;" },
        { "[{\"provider\": \"openai\", \"model\": \"gpt-4o\", \"rpm\": 1e30}]", ", entry [0] (openai gpt-4o): 'rpm' is 1e30;" },
        { "[{\"provider\": \"openai\", \"model\": \"gpt-4o\", \"max_concurrency\": 3000000000}]", ", entry [0] (openai gpt-4o): 'max_concurrency' is 3000000000; a limit must be a whole number from 1 to 2147483647" },
        { "[{\"provider\": \"openai\", \"model\": \"gpt-4o\", \"rpm\": 1}, {\"provider\": \"OpenAI\", \"model\": \"GPT-4o\", \"tier\": \"any\", \"rpm\": 2}]", ": entries [0] and [1] both define openai 'GPT-4o' tier 'any'." },
    };

    [Theory]
    [MemberData(nameof(InvalidEntries))]
    public void Load_InvalidContent_ThrowsNamingFileEntryAndValue(string json, string expectedMessagePart)
    {
        using var file = new TempCatalogFile(json);

        LimitsCatalogException error = Assert.Throws<LimitsCatalogException>(() => LimitsCatalog.Load(file.Path));

        Assert.StartsWith($"limits file '{file.Path}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedMessagePart, error.Message, StringComparison.Ordinal);
        Assert.Equal(file.Path, error.Origin);
    }

    [Fact]
    public void Load_InvalidEntry_ReportsItsIndex()
    {
        using var file = new TempCatalogFile("""[{"provider": "openai", "model": "a", "rpm": 1}, {"provider": "openai", "model": "b", "rpm": 1}, {"provider": "openai", "model": "c", "rpm": 0}]""");

        LimitsCatalogException error = Assert.Throws<LimitsCatalogException>(() => LimitsCatalog.Load(file.Path));

        Assert.Equal(2, error.EntryIndex);
    }

    [Fact]
    public void WithFile_EmptyPath_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>("path", () => LimitsCatalog.Default.WithFile(" "));
}
