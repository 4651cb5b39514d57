using FastBucket.Estimation;
using FastBucket.Extensions.AI.Tests.Infrastructure;
using FastBucket.Quotas;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace FastBucket.Extensions.AI.Tests;

public sealed class FastBucketChatClientBuilderExtensionsTests
{
    [Fact]
    public void UseFastBucket_ServicesHaveAddFastBucket_DrawsOnTheRegisteredRegistry()
    {
        using var services = new ServiceCollection().AddFastBucket().BuildServiceProvider();
        var inner = new ScriptedChatClient { Respond = () => new ChatResponse() };

        using var client = new ChatClientBuilder(inner).UseFastBucket().Build(services);

        var fastBucket = client.GetService<FastBucketChatClient>();
        Assert.NotNull(fastBucket);
        Assert.Same(services.GetRequiredService<QuotaRegistry>(), fastBucket.Quotas);
    }

    [Fact]
    public void UseFastBucket_OptionsNameARegistry_TheOptionsWin()
    {
        using var services = new ServiceCollection().AddFastBucket().BuildServiceProvider();
        using var mine = new QuotaRegistry();

        using var client = new ChatClientBuilder(new ScriptedChatClient()).UseFastBucket(o => o.Quotas = mine).Build(services);

        Assert.Same(mine, client.GetService<FastBucketChatClient>()!.Quotas);
    }

    [Fact]
    public async Task UseFastBucket_EmbeddingPipelineWithoutServices_ReservesOnItsOwnRegistry()
    {
        var inner = new ScriptedEmbeddingGenerator();
        var estimator = new FixedEstimator(new RequestCost(1, 40, 0));
        using var generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(inner).UseFastBucket(o => o.Estimator = estimator).Build();

        var result = await generator.GenerateAsync(["owls"]);

        var fastBucket = generator.GetService<FastBucketEmbeddingGenerator<Embedding<float>>>()!;
        var quota = Assert.Single(fastBucket.Quotas.Quotas);
        Assert.Equal(new QuotaKey(Providers.LlmProvider.OpenAI, "text-embedding-3-small"), quota.Key);
        Assert.Equal([new TokenUsage(3, 0)], estimator.Reconciled);
        Assert.Contains("\"input\":[\"owls\"]", Assert.Single(estimator.Estimated).Body, StringComparison.Ordinal);
        Assert.Single(result);
    }
}
