using FastBucket.Cli.Batch;

namespace FastBucket.Cli.Tests.Batch;

public sealed class ProviderEndpointTests
{
    [Theory]
    [InlineData("/chat/completions", "/openai/deployments/dep-1/chat/completions?api-version=2024-10-21")]
    [InlineData("/v1/chat/completions", "/openai/deployments/dep-1/chat/completions?api-version=2024-10-21")]
    [InlineData("/v1/embeddings", "/openai/deployments/dep-1/embeddings?api-version=2024-10-21")]
    [InlineData("/chat/completions?api-version=2025-01-01-preview", "/openai/deployments/dep-1/chat/completions?api-version=2025-01-01-preview")]
    [InlineData("/chat/completions?x=1", "/openai/deployments/dep-1/chat/completions?x=1&api-version=2024-10-21")]
    [InlineData("/openai/deployments/other/chat/completions?api-version=2024-06-01", "/openai/deployments/other/chat/completions?api-version=2024-06-01")]
    [InlineData(null, "/openai/deployments/dep-1/chat/completions?api-version=2024-10-21")]
    public void PathFor_Azure_OpenAIBatchPathsGoUnderTheDeployment(string? url, string expected)
    {
        Assert.Equal(expected, ProviderEndpoint.For("azure").PathFor(url, "dep-1"));
    }

    [Theory]
    [InlineData("openai", "/v1/chat/completions")]
    [InlineData("openrouter", "/chat/completions")]
    public void PathFor_OtherProviders_KeepTheLinePath(string provider, string url)
    {
        Assert.Equal(url, ProviderEndpoint.For(provider).PathFor(url, "m"));
    }

    [Fact]
    public void Combine_AzureResourceRootAndDeploymentPath_IsTheDeploymentUrl()
    {
        var endpoint = ProviderEndpoint.For("azure");

        Uri uri = ProviderEndpoint.Combine(new Uri("https://res.openai.azure.com/"), endpoint.PathFor("/chat/completions", "gpt 4o"));

        Assert.Equal("https://res.openai.azure.com/openai/deployments/gpt%204o/chat/completions?api-version=2024-10-21", uri.AbsoluteUri);
    }
}
