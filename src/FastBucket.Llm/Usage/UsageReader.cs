using System.Text.Json;
using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Usage;

/// <summary>
/// Reads the token usage a provider reported in a JSON body or stream event: OpenAI chat, Responses and embeddings
/// <c>usage</c>, Anthropic <c>usage</c> (cache writes count as input, cache reads do not: Anthropic's ITPM does not
/// count them), Gemini <c>usageMetadata</c>
/// (thoughts count as output), Groq's <c>x_groq.usage</c> in streams. Never throws: a body without usage, or not JSON, gives <see langword="null"/>.
/// </summary>
public static class UsageReader
{
    /// <summary>The usage in a complete JSON body, or <see langword="null"/>.</summary>
    /// <param name="provider">The provider (every known shape is tried; the provider only breaks ties).</param>
    /// <param name="json">The body, UTF-8.</param>
    public static TokenUsage? FromJson(LlmProvider provider, ReadOnlySpan<byte> json)
    {
        var accumulator = new StreamUsageAccumulator();
        accumulator.Observe(json);
        _ = provider;
        return accumulator.Usage;
    }

    /// <summary>
    /// The usage in one parsed object: its own <c>usage</c>/<c>usageMetadata</c>, or that of a nested <c>response</c>
    /// (OpenAI Responses events), <c>message</c> (Anthropic <c>message_start</c>) or <c>x_groq</c> (Groq stream chunks).
    /// </summary>
    internal static bool TryRead(JsonElement root, out long? input, out long? output)
    {
        input = output = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (root.TryGetProperty("usageMetadata", out var gemini) && gemini.ValueKind == JsonValueKind.Object)
        {
            input = Number(gemini, "promptTokenCount");
            long? candidates = Number(gemini, "candidatesTokenCount");
            long? thoughts = Number(gemini, "thoughtsTokenCount");
            output = candidates is null && thoughts is null ? null : (candidates ?? 0) + (thoughts ?? 0);
            return input is not null || output is not null;
        }

        if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            // OpenAI chat / embeddings: prompt_tokens + completion_tokens. Responses and Anthropic: input_tokens + output_tokens.
            input = Number(usage, "prompt_tokens") ?? Number(usage, "input_tokens");
            if (input is not null && usage.TryGetProperty("input_tokens", out _))
            {
                // Anthropic: input_tokens is what follows the last cache breakpoint. Cache writes are charged to ITPM
                // like any input; cache reads are not (for current models), so a cached 90k prefix costs nothing there.
                input += Number(usage, "cache_creation_input_tokens") ?? 0;
            }

            output = Number(usage, "completion_tokens") ?? Number(usage, "output_tokens");
            if (output is null && input is not null && Number(usage, "total_tokens") is { } total)
            {
                output = Math.Max(0, total - input.Value);
            }

            return input is not null || output is not null;
        }

        foreach (var nested in (ReadOnlySpan<string>)["response", "message", "x_groq"])
        {
            if (root.TryGetProperty(nested, out var inner) && TryRead(inner, out input, out output))
            {
                return true;
            }
        }

        return false;
    }

    private static long? Number(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long n) && n >= 0 ? n : null;
}
