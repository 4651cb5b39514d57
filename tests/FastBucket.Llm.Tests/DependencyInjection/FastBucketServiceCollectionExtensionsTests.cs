using FastBucket.Providers;
using FastBucket.Quotas;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FastBucket.Llm.Tests.DependencyInjection;

public sealed class FastBucketServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("FastBucket");
        return new ServiceCollection().AddFastBucket(configuration).BuildServiceProvider();
    }

    [Fact]
    public void AddFastBucket_BoundSection_ReachesTheRegistry()
    {
        using var provider = Build(new() { ["FastBucket:MaxConcurrency"] = "3", ["FastBucket:DiscoverUnknownLimits"] = "false" });
        var quota = provider.GetRequiredService<QuotaRegistry>().GetOrCreate(new QuotaKey(LlmProvider.OpenAI, "no-such-model-anywhere"));
        Assert.False(((LlmQuota)quota).IsDiscovering);
        Assert.Equal(3, quota.Limits.MaxConcurrency);
    }

    [Fact]
    public void AddFastBucket_TypoInTheSection_FailsAtStartUpNamingTheKey()
    {
        using var provider = Build(new() { ["FastBucket:MaxConcurency"] = "3" });
        var ex = Assert.ThrowsAny<InvalidOperationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("MaxConcurency", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddFastBucket_ValueOutOfRange_FailsAtStartUpNamingTheValue()
    {
        using var provider = Build(new() { ["FastBucket:BurstHeadroom"] = "0.9" });
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("BurstHeadroom", ex.Message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<QuotaRegistry>());
    }

    [Fact]
    public void QuotaRegistry_FactoryWithoutDiscoveringFactoryWhileDiscovering_IsRefusedNotIgnored()
    {
        var options = new QuotaRegistryOptions { QuotaFactory = (key, limits) => new LlmQuota(key, limits) };
        var ex = Assert.Throws<ArgumentException>(() => new QuotaRegistry(options));
        Assert.Equal(nameof(QuotaRegistryOptions.DiscoveringQuotaFactory), ex.ParamName);
        options.DiscoveringQuotaFactory = (key, concurrency) => LlmQuota.CreateDiscovering(key, concurrency);
        using var registry = new QuotaRegistry(options);
        Assert.True(((LlmQuota)registry.GetOrCreate(new QuotaKey(LlmProvider.OpenAI, "no-such-model-anywhere"))).IsDiscovering);
    }
}
