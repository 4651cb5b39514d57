using System.Net;
using FastBucket.Providers;

namespace FastBucket.Llm.Tests.Providers;

/// <summary>A 200 response per provider with the headers it typically carries, as a real handler would fill them.</summary>
internal static class TypicalSuccessfulResponses
{
    public static readonly DateTimeOffset Now = new(2025, 8, 21, 12, 41, 0, TimeSpan.Zero);

    public static HttpResponseMessage For(LlmProvider provider)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
        Add(response, "date", "Thu, 21 Aug 2025 12:41:00 GMT");
        Add(response, "content-type", "application/json");
        Add(response, "x-request-id", "req_8a5f0c3b9e");
        Add(response, "cf-ray", "972f3b8e5c1d0a4e-FRA");
        switch (provider)
        {
            case LlmProvider.OpenAI or LlmProvider.Groq or LlmProvider.Generic:
                Add(response, "openai-processing-ms", "412");
                Add(response, "x-ratelimit-limit-requests", "5000");
                Add(response, "x-ratelimit-limit-tokens", "800000");
                Add(response, "x-ratelimit-remaining-requests", "4999");
                Add(response, "x-ratelimit-remaining-tokens", "799364");
                Add(response, "x-ratelimit-reset-requests", "12ms");
                Add(response, "x-ratelimit-reset-tokens", "47ms");
                break;
            case LlmProvider.AzureOpenAI:
                Add(response, "apim-request-id", "0e8c4b16-1c8e-4c4b-9f0a-2b7c3f6c2a11");
                Add(response, "x-ratelimit-remaining-requests", "249");
                Add(response, "x-ratelimit-remaining-tokens", "249000");
                Add(response, "x-ratelimit-limit-tokens", "-1");
                break;
            case LlmProvider.Anthropic:
                Add(response, "anthropic-ratelimit-requests-limit", "4000");
                Add(response, "anthropic-ratelimit-requests-remaining", "3999");
                Add(response, "anthropic-ratelimit-requests-reset", "2025-08-21T12:41:00.015Z");
                Add(response, "anthropic-ratelimit-input-tokens-limit", "2000000");
                Add(response, "anthropic-ratelimit-input-tokens-remaining", "1998000");
                Add(response, "anthropic-ratelimit-input-tokens-reset", "2025-08-21T12:41:01Z");
                Add(response, "anthropic-ratelimit-output-tokens-limit", "400000");
                Add(response, "anthropic-ratelimit-output-tokens-remaining", "400000");
                Add(response, "anthropic-ratelimit-output-tokens-reset", "2025-08-21T12:41:00+00:00");
                Add(response, "anthropic-ratelimit-tokens-limit", "2400000");
                Add(response, "anthropic-ratelimit-tokens-remaining", "2398000");
                Add(response, "anthropic-ratelimit-tokens-reset", "2025-08-21T12:41:01Z");
                break;
            case LlmProvider.OpenRouter:
                Add(response, "X-RateLimit-Limit", "20");
                Add(response, "X-RateLimit-Remaining", "19");
                Add(response, "X-RateLimit-Reset", "1755780120000");
                break;
            case LlmProvider.Gemini:
                Add(response, "server", "scaffolding on HTTPServer2");
                Add(response, "server-timing", "gfet4t7; dur=734");
                break;
        }

        return response;
    }

    private static void Add(HttpResponseMessage response, string name, string value)
    {
        if (!response.Headers.TryAddWithoutValidation(name, value))
        {
            response.Content.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
