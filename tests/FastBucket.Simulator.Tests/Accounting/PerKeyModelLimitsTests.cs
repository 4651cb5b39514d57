using FastBucket.Simulator.Accounting;

namespace FastBucket.Simulator.Tests.Accounting;

public sealed class PerKeyModelLimitsTests
{
    private readonly PerKeyModelLimits _limits = new()
    {
        Default = RateLimits.Parse("rpm=1"),
        Overrides =
        {
            new RateLimitOverride { ApiKey = "sk-a", Limits = RateLimits.Parse("rpm=2") },
            new RateLimitOverride { Model = "gpt-4.1", Limits = RateLimits.Parse("rpm=3") },
            new RateLimitOverride { ApiKey = "sk-a", Model = "gpt-4.1", Limits = RateLimits.Parse("rpm=4") },
        },
    };

    [Theory]
    [InlineData("sk-z", "gpt-4o-mini", 1)]
    [InlineData("sk-a", "gpt-4o-mini", 2)]
    [InlineData("sk-z", "gpt-4.1", 3)]
    [InlineData("sk-z", "GPT-4.1", 3)]
    [InlineData("sk-a", "gpt-4.1", 4)]
    public void Resolve_MostSpecificOverrideWins(string key, string model, long expectedRpm) =>
        Assert.Equal(expectedRpm, _limits.Resolve(key, model).RequestsPerMinute);

    [Fact]
    public void Resolve_KeysCompareExactly() => Assert.Equal(1, _limits.Resolve("SK-A", "gpt-4o-mini").RequestsPerMinute);

    [Fact]
    public void Override_ToString_DoesNotPrintTheKey() =>
        Assert.DoesNotContain("sk-a", _limits.Overrides[0].ToString(), StringComparison.Ordinal);

    [Fact]
    public void SetAll_GivesEachProviderItsOwnCopy()
    {
        var providers = new ProviderRateLimits();
        providers.SetAll(RateLimits.Parse("rpm=7"));

        providers.OpenAI.Default.RequestsPerMinute = 8;

        Assert.Equal(7, providers.Anthropic.Default.RequestsPerMinute);
        Assert.Equal(8, providers[SimulatedProvider.OpenAI].Default.RequestsPerMinute);
    }
}
