using FastBucket.Catalog;
using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Llm.Tests.Catalog;

/// <summary>Limits the provider counts across several models resolve to one quota key (issue 14 item 7).</summary>
public sealed class SharedLimitsTests
{
    private static readonly LimitsCatalog Catalog = LimitsCatalog.Default;

    [Theory]
    [InlineData("claude-sonnet-4-5")]
    [InlineData("claude-sonnet-4-5-20250929")]
    [InlineData("claude-sonnet-4-6")]
    [InlineData("claude-sonnet-4-20250514")]
    public void ResolveQuotaKey_ClaudeSonnetFourX_AllShareTheCombinedQuota(string model)
    {
        var resolved = Catalog.ResolveQuotaKey(new QuotaKey(LlmProvider.Anthropic, model, "team"));
        Assert.Equal(new QuotaKey(LlmProvider.Anthropic, "claude-sonnet-4.x", "team"), resolved);
    }

    [Theory]
    [InlineData("claude-opus-4-1", "claude-opus-4.x")]
    [InlineData("claude-haiku-4-5-20251001", "claude-haiku-4-5")]
    public void ResolveQuotaKey_SnapshotAndAlias_ShareOneQuota(string model, string shared) =>
        Assert.Equal(shared, Catalog.ResolveQuotaKey(new QuotaKey(LlmProvider.Anthropic, model)).Model);

    [Theory]
    [InlineData("meta-llama/llama-3.3-70b-instruct:free")]
    [InlineData("qwen/qwen3-coder:free")]
    public void ResolveQuotaKey_OpenRouterFreeModels_ShareTheAccountWideQuota(string model)
    {
        var resolved = Catalog.ResolveQuotaKey(new QuotaKey(LlmProvider.OpenRouter, model));
        Assert.Equal(new QuotaKey(LlmProvider.OpenRouter, "free-models"), resolved);
    }

    [Theory]
    [InlineData(LlmProvider.OpenAI, "gpt-4o-mini")]
    [InlineData(LlmProvider.Gemini, "gemini-2.5-flash")]
    [InlineData(LlmProvider.OpenRouter, "openai/gpt-4o")]
    [InlineData(LlmProvider.Groq, "llama-3.3-70b-versatile")]
    public void ResolveQuotaKey_NoSharedLimit_IsTheSameKey(LlmProvider provider, string model)
    {
        var key = new QuotaKey(provider, model);
        Assert.Equal(key, Catalog.ResolveQuotaKey(key));
    }

    [Fact]
    public void Find_ClaudeSonnetFourX_StatesTheCombinedLimitOnce()
    {
        var entry = Catalog.Find(LlmProvider.Anthropic, "claude-sonnet-4-5");
        Assert.NotNull(entry);
        Assert.Equal("claude-sonnet-4.x", entry.SharedAs);
        Assert.Equal(30_000, entry.Limits.InputTokensPerMinute);
        Assert.Contains("shared as claude-sonnet-4.x", entry.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UserFile_CanDeclareASharedQuota()
    {
        using var file = new TempCatalogFile("""
            [{"provider": "openai", "model": "gpt-4o*", "rpm": 100, "shared_as": "gpt-4o family"}]
            """);
        var catalog = LimitsCatalog.Load(file.Path);
        Assert.Equal("gpt-4o family", catalog.ResolveQuotaKey(new QuotaKey(LlmProvider.OpenAI, "gpt-4o-mini")).Model);
        Assert.Equal("gpt-4o family", catalog.ResolveQuotaKey(new QuotaKey(LlmProvider.OpenAI, "gpt-4o-2024-08-06")).Model);
    }

    [Fact]
    public void Load_EmptySharedName_IsRefusedNamingTheField()
    {
        using var file = new TempCatalogFile("""[{"provider": "openai", "model": "gpt-4o*", "rpm": 100, "shared_as": " "}]""");
        var error = Assert.Throws<LimitsCatalogException>(() => LimitsCatalog.Load(file.Path));
        Assert.Contains("'shared_as' is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithOptions_SharedAs_IsRead()
    {
        var catalog = LimitsCatalog.FromOptions(new FastBucketLimitsOptions
        {
            Entries = { new LimitEntryOptions { Provider = "groq", Model = "llama-*", Rpm = 30, SharedAs = "llama" } },
        });
        Assert.Equal("llama", catalog.ResolveQuotaKey(new QuotaKey(LlmProvider.Groq, "llama-3.1-8b-instant")).Model);
    }
}
