using FastBucket.Simulator.Generation;
using FastBucket.Simulator.Providers;
using FastBucket.Simulator.Providers.Anthropic;
using FastBucket.Simulator.Providers.AzureOpenAI;
using FastBucket.Simulator.Providers.Gemini;
using FastBucket.Simulator.Providers.OpenAI;
using FastBucket.Simulator.Providers.OpenRouter;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FastBucket.Simulator.Http;

/// <summary>Maps each provider's paths to its endpoint.</summary>
internal static class SimulatorRoutes
{
    public static void Map(IEndpointRouteBuilder routes, RequestProcessor processor, GenerationSettings settings)
    {
        var openAI = new OpenAIDialect();
        var anthropic = new AnthropicDialect();
        var gemini = new GeminiDialect();
        var openRouter = new OpenRouterDialect();
        var azure = new AzureOpenAIDialect();

        MapGeneration(routes, processor, "/v1/chat/completions", new ChatCompletionsEndpoint(openAI, settings, ChatCompletionsFlavor.OpenAI));
        MapGeneration(routes, processor, "/v1/responses", new ResponsesEndpoint(openAI, settings));
        MapGeneration(routes, processor, "/v1/embeddings", new EmbeddingsEndpoint(openAI));
        MapGeneration(routes, processor, "/v1/messages", new MessagesEndpoint(anthropic, settings));

        var generateContent = new GenerateContentEndpoint(gemini, settings);
        MapGeneration(routes, processor, "/v1beta/models/{target}", generateContent);
        MapGeneration(routes, processor, "/v1/models/{target}", generateContent);

        MapGeneration(routes, processor, "/api/v1/chat/completions", new ChatCompletionsEndpoint(openRouter, settings, ChatCompletionsFlavor.OpenRouter));
        routes.MapGet("/api/v1/key", context => processor.HandleKeyInfoAsync(context, openRouter));

        MapGeneration(routes, processor, "/openai/deployments/{deployment}/chat/completions", new ChatCompletionsEndpoint(azure, settings, ChatCompletionsFlavor.AzureOpenAI));
    }

    private static void MapGeneration(IEndpointRouteBuilder routes, RequestProcessor processor, string pattern, IGenerationEndpoint endpoint) =>
        routes.MapPost(pattern, (RequestDelegate)(context => processor.HandleGenerationAsync(context, endpoint)));
}
