using FastBucket.Providers;

namespace FastBucket.Llm.Tests.Providers;

public sealed class LlmProviderDetectorTests
{
    public static TheoryData<string> VectorIds() => ProviderVector.Ids();

    [Theory]
    [InlineData("https://api.openai.com/v1/", LlmProvider.OpenAI)]
    [InlineData("https://API.OpenAI.com/v1/", LlmProvider.OpenAI)]
    [InlineData("https://api.anthropic.com", LlmProvider.Anthropic)]
    [InlineData("https://generativelanguage.googleapis.com/v1beta/", LlmProvider.Gemini)]
    [InlineData("https://openrouter.ai/api/v1", LlmProvider.OpenRouter)]
    [InlineData("https://my-resource.openai.azure.com/openai/deployments/gpt-4o/", LlmProvider.AzureOpenAI)]
    [InlineData("https://my-resource.cognitiveservices.azure.com/", LlmProvider.AzureOpenAI)]
    [InlineData("https://my-project.services.ai.azure.com/models", LlmProvider.AzureOpenAI)]
    [InlineData("https://api.groq.com/openai/v1", LlmProvider.Groq)]
    [InlineData("https://api.deepseek.com", LlmProvider.Generic)]
    [InlineData("http://localhost:8080/v1", LlmProvider.Generic)]
    [InlineData("https://notopenai.com/v1", LlmProvider.Generic)]
    [InlineData("https://openai.com.evil.example/v1", LlmProvider.Generic)]
    public void FromBaseAddress_KnownAndUnknownHosts_MapsToProvider(string address, LlmProvider expected)
    {
        Assert.Equal(expected, LlmProviderDetector.FromBaseAddress(new Uri(address)));
    }

    [Fact]
    public void FromBaseAddress_RelativeUri_ThrowsNamingTheParameter()
    {
        ArgumentException exception = Assert.Throws<ArgumentException>(() => LlmProviderDetector.FromBaseAddress(new Uri("/v1", UriKind.Relative)));
        Assert.Equal("baseAddress", exception.ParamName);
    }

    [Theory]
    [MemberData(nameof(VectorIds))]
    public void FromResponse_Vector_DetectsItsProviderWhenTheResponseCarriesEvidence(string id)
    {
        ProviderVector vector = ProviderVector.All[id];
        using HttpResponseMessage response = vector.ToResponse();

        LlmProvider detected = LlmProviderDetector.FromResponse(response, vector.Body);

        // Retry headers alone are common to every provider; such responses read the same as Generic.
        bool hasEvidence = vector.Body.Length > 0 || vector.Headers.Any(h => !IsCommonHeader(h.Key));
        Assert.Equal(hasEvidence ? vector.Provider : LlmProvider.Generic, detected);
    }

    [Theory]
    [InlineData("x-groq-region", "us-east-1", LlmProvider.Groq)]
    [InlineData("openai-processing-ms", "120", LlmProvider.OpenAI)]
    [InlineData("apim-request-id", "2f1c", LlmProvider.AzureOpenAI)]
    [InlineData("anthropic-ratelimit-requests-limit", "50", LlmProvider.Anthropic)]
    public void FromResponse_ProviderSpecificHeader_DetectsProvider(string name, string value, LlmProvider expected)
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation(name, value);

        Assert.Equal(expected, LlmProviderDetector.FromResponse(response, default));
    }

    [Fact]
    public void FromResponse_GroqErrorBody_DetectsGroq()
    {
        byte[] body = """{"error":{"message":"Rate limit reached for model `llama-3.3-70b-versatile` in organization `org_01` service tier `on_demand` on tokens per minute (TPM): Limit 12000, Used 11000, Requested 2000. Please try again in 5s. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing","type":"tokens","code":"rate_limit_exceeded"}}"""u8.ToArray();
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);

        Assert.Equal(LlmProvider.Groq, LlmProviderDetector.FromResponse(response, body));
    }

    [Fact]
    public void FromResponse_GarbageBody_IsGeneric()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);

        Assert.Equal(LlmProvider.Generic, LlmProviderDetector.FromResponse(response, "<html>busy</html>"u8));
    }

    private static bool IsCommonHeader(string name) =>
        name.Equals("retry-after", StringComparison.OrdinalIgnoreCase)
        || name.Equals("retry-after-ms", StringComparison.OrdinalIgnoreCase)
        || name.Equals("x-should-retry", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-type", StringComparison.OrdinalIgnoreCase);
}
