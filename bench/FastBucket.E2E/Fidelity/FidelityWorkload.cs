using System.Text.Json;
using FastBucket.E2E.Contenders;
using FastBucket.E2E.Workload;
using FastBucket.Simulator;

namespace FastBucket.E2E.Fidelity;

/// <summary>
/// The matrix's workload, the same for every contender of a profile: half short prompts (20 to 60 words), half long
/// ones (300 to 500 words) of an English passage, max_tokens from 100 to 400 (the simulator generates 30% to 100% of
/// it), each in the provider's own request form. For Anthropic, half of the requests share a cached system prefix
/// (about 1,600 tokens, marked with cache_control).
/// </summary>
internal static class FidelityWorkload
{
    public const string AzureApiVersion = "2024-10-21";

    private static readonly string SharedPrefix =
        "You are a careful analyst of civic reports. Background for every question follows.\n\n"
        + string.Join("\n\n", Enumerable.Repeat(WorkloadGenerator.Source, 3));

    public static IReadOnlyList<WorkloadRequest> Generate(FidelityProfile profile, int count, int seed)
    {
        var random = new Random(seed);
        var requests = new WorkloadRequest[count];
        for (int i = 0; i < count; i++)
        {
            bool isLong = i % 2 == 1;
            int words = isLong ? random.Next(300, 501) : random.Next(20, 61);
            int start = random.Next(WorkloadGenerator.Words.Length);
            string passage = string.Join(' ', Enumerable.Range(start, words).Select(w => WorkloadGenerator.Words[w % WorkloadGenerator.Words.Length]));
            string prompt = WorkloadGenerator.Tasks[random.Next(WorkloadGenerator.Tasks.Length)] + "\n\n" + passage;
            int maxTokens = random.Next(100, 401);
            bool cachedPrefix = profile.Provider == SimulatedProvider.Anthropic && random.Next(2) == 0;
            requests[i] = Create(profile, i, prompt, maxTokens, cachedPrefix);
        }

        return requests;
    }

    private static WorkloadRequest Create(FidelityProfile profile, int index, string prompt, int maxTokens, bool cachedPrefix)
    {
        string model = FidelityProfile.Model;
        string chat = Serialize(new Dictionary<string, object>
        {
            ["model"] = model,
            ["messages"] = cachedPrefix
                ? new[] { Message("system", SharedPrefix), Message("user", prompt) }
                : new[] { Message("user", prompt) },
            ["max_tokens"] = maxTokens,
        });
        var request = new WorkloadRequest(index, model, prompt, maxTokens, chat);
        return profile.Provider switch
        {
            SimulatedProvider.OpenRouter => request with { Path = "api/v1/chat/completions" },
            SimulatedProvider.AzureOpenAI => request with
            {
                Path = $"openai/deployments/{model}/chat/completions?api-version={AzureApiVersion}",
                Headers = [new("api-key", ChatRequest.ApiKey)],
            },
            SimulatedProvider.Anthropic => request with
            {
                Path = "v1/messages",
                Headers = [new("x-api-key", ChatRequest.ApiKey), new("anthropic-version", "2023-06-01")],
                Body = Serialize(AnthropicBody(model, prompt, maxTokens, cachedPrefix)),
                EstimateBody = chat,
            },
            SimulatedProvider.Gemini => request with
            {
                Path = $"v1beta/models/{model}:generateContent",
                Headers = [new("x-goog-api-key", ChatRequest.ApiKey)],
                Body = Serialize(new Dictionary<string, object>
                {
                    ["contents"] = new[] { new Dictionary<string, object> { ["role"] = "user", ["parts"] = new[] { new Dictionary<string, string> { ["text"] = prompt } } } },
                    ["generationConfig"] = new Dictionary<string, int> { ["maxOutputTokens"] = maxTokens },
                }),
                EstimateBody = chat,
            },
            _ => request,
        };
    }

    private static Dictionary<string, object> AnthropicBody(string model, string prompt, int maxTokens, bool cachedPrefix)
    {
        var body = new Dictionary<string, object>
        {
            ["model"] = model,
            ["max_tokens"] = maxTokens,
            ["messages"] = new[] { Message("user", prompt) },
        };
        if (cachedPrefix)
        {
            body["system"] = new[]
            {
                new Dictionary<string, object> { ["type"] = "text", ["text"] = SharedPrefix, ["cache_control"] = new Dictionary<string, string> { ["type"] = "ephemeral" } },
            };
        }

        return body;
    }

    private static Dictionary<string, string> Message(string role, string content) => new() { ["role"] = role, ["content"] = content };

    private static string Serialize(object value) => JsonSerializer.Serialize(value);
}
