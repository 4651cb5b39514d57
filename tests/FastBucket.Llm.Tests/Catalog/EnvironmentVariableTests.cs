using FastBucket.Catalog;
using FastBucket.Providers;

namespace FastBucket.Llm.Tests.Catalog;

[Collection(EnvironmentVariableCollection.Name)]
public sealed class EnvironmentVariableTests
{
    [Fact]
    public void CreateDefault_RealEnvironmentVariable_AppliesTheFileItNames()
    {
        using var file = new TempCatalogFile("""[{"provider": "anthropic", "model": "claude-haiku-4-5", "tier": "tier-1", "rpm": 9}]""");
        string? before = Environment.GetEnvironmentVariable(LimitsCatalog.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(LimitsCatalog.EnvironmentVariable, file.Path);

            LimitsCatalog catalog = LimitsCatalog.CreateDefault();

            Assert.Equal(9, catalog.Find(LlmProvider.Anthropic, "claude-haiku-4-5-20251001")?.Limits.RequestsPerMinute);
        }
        finally
        {
            Environment.SetEnvironmentVariable(LimitsCatalog.EnvironmentVariable, before);
        }
    }
}
