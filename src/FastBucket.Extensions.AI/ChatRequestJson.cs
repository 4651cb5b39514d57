using System.Buffers;
using System.Text.Json;
using FastBucket.Providers;
using Microsoft.Extensions.AI;

namespace FastBucket.Extensions.AI;

/// <summary>
/// Writes an M.E.AI call as the JSON body its provider would receive (Anthropic Messages, Gemini generateContent, or
/// OpenAI Chat Completions for the rest), so that the library's one estimator prices it: messages, tools and the
/// output limit, the parts that cost tokens. Images are written as image parts (the estimator charges them a fixed
/// amount); content kinds that cost no prompt tokens are left out.
/// </summary>
internal static class ChatRequestJson
{
    // A short stand-in for an image's bytes: the estimator prices images by kind, not by their data.
    private const string ImageUrl = "https://image.invalid/image";

    internal static ReadOnlyMemory<byte> Write(LlmProvider provider, string? model, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (model is not null)
            {
                json.WriteString("model", model);
            }

            switch (provider)
            {
                case LlmProvider.Anthropic:
                    WriteAnthropic(json, messages, options);
                    break;
                case LlmProvider.Gemini:
                    WriteGemini(json, messages, options);
                    break;
                default:
                    WriteOpenAI(json, messages, options);
                    break;
            }

            json.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    private static void WriteOpenAI(Utf8JsonWriter json, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        json.WriteStartArray("messages");
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            json.WriteStartObject();
            json.WriteString("role", "system");
            json.WriteString("content", instructions);
            json.WriteEndObject();
        }

        foreach (var message in messages)
        {
            json.WriteStartObject();
            json.WriteString("role", message.Role.Value);
            json.WriteStartArray("content");
            foreach (var content in message.Contents)
            {
                if (Text(content) is { } text)
                {
                    json.WriteStartObject();
                    json.WriteString("type", "text");
                    json.WriteString("text", text);
                    json.WriteEndObject();
                }
                else if (IsImage(content))
                {
                    json.WriteStartObject();
                    json.WriteString("type", "image_url");
                    json.WriteStartObject("image_url");
                    json.WriteString("url", ImageUrl);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (Tools(options) is { Count: > 0 } tools)
        {
            json.WriteStartArray("tools");
            foreach (var tool in tools)
            {
                json.WriteStartObject();
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                WriteDeclaration(json, tool, "parameters");
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        if (options?.MaxOutputTokens is { } max)
        {
            json.WriteNumber("max_completion_tokens", Math.Max(0, max));
        }
    }

    private static void WriteAnthropic(Utf8JsonWriter json, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var system = new List<string>();
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            system.Add(instructions);
        }

        json.WriteStartArray("messages");
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                system.AddRange(message.Contents.Select(Text).OfType<string>());
                continue;
            }

            json.WriteStartObject();
            json.WriteString("role", message.Role == ChatRole.Assistant ? "assistant" : "user");
            json.WriteStartArray("content");
            foreach (var content in message.Contents)
            {
                if (Text(content) is { } text)
                {
                    json.WriteStartObject();
                    json.WriteString("type", "text");
                    json.WriteString("text", text);
                    json.WriteEndObject();
                }
                else if (IsImage(content))
                {
                    json.WriteStartObject();
                    json.WriteString("type", "image");
                    json.WriteStartObject("source");
                    json.WriteString("type", "url");
                    json.WriteString("url", ImageUrl);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (system.Count > 0)
        {
            json.WriteString("system", string.Join('\n', system));
        }

        if (Tools(options) is { Count: > 0 } tools)
        {
            json.WriteStartArray("tools");
            foreach (var tool in tools)
            {
                json.WriteStartObject();
                WriteDeclaration(json, tool, "input_schema");
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        if (options?.MaxOutputTokens is { } max)
        {
            json.WriteNumber("max_tokens", Math.Max(0, max));
        }
    }

    private static void WriteGemini(Utf8JsonWriter json, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var system = new List<string>();
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            system.Add(instructions);
        }

        json.WriteStartArray("contents");
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                system.AddRange(message.Contents.Select(Text).OfType<string>());
                continue;
            }

            json.WriteStartObject();
            json.WriteString("role", message.Role == ChatRole.Assistant ? "model" : "user");
            json.WriteStartArray("parts");
            foreach (var content in message.Contents)
            {
                if (Text(content) is { } text)
                {
                    json.WriteStartObject();
                    json.WriteString("text", text);
                    json.WriteEndObject();
                }
                else if (IsImage(content))
                {
                    json.WriteStartObject();
                    json.WriteStartObject("fileData");
                    json.WriteString("mimeType", "image/png");
                    json.WriteString("fileUri", ImageUrl);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (system.Count > 0)
        {
            json.WriteStartObject("systemInstruction");
            json.WriteStartArray("parts");
            json.WriteStartObject();
            json.WriteString("text", string.Join('\n', system));
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        if (Tools(options) is { Count: > 0 } tools)
        {
            json.WriteStartArray("tools");
            json.WriteStartObject();
            json.WriteStartArray("functionDeclarations");
            foreach (var tool in tools)
            {
                json.WriteStartObject();
                WriteDeclaration(json, tool, "parameters");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
        }

        if (options?.MaxOutputTokens is { } max)
        {
            json.WriteStartObject("generationConfig");
            json.WriteNumber("maxOutputTokens", Math.Max(0, max));
            json.WriteEndObject();
        }
    }

    private static List<AIFunctionDeclaration>? Tools(ChatOptions? options) =>
        options?.Tools is { Count: > 0 } tools ? tools.OfType<AIFunctionDeclaration>().ToList() : null;

    private static void WriteDeclaration(Utf8JsonWriter json, AIFunctionDeclaration tool, string schemaName)
    {
        json.WriteString("name", tool.Name);
        if (!string.IsNullOrEmpty(tool.Description))
        {
            json.WriteString("description", tool.Description);
        }

        if (tool.JsonSchema.ValueKind == JsonValueKind.Object)
        {
            json.WritePropertyName(schemaName);
            tool.JsonSchema.WriteTo(json);
        }
    }

    /// <summary>The text a content adds to the prompt: its text, a tool call's name and arguments, a tool result; else <see langword="null"/>.</summary>
    private static string? Text(AIContent content) => content switch
    {
        TextContent text => text.Text,
        TextReasoningContent reasoning => reasoning.Text,
        FunctionCallContent call => call.Name + JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions),
        FunctionResultContent result => JsonSerializer.Serialize(result.Result, AIJsonUtilities.DefaultOptions),
        _ => null,
    };

    private static bool IsImage(AIContent content) =>
        content is DataContent data ? data.HasTopLevelMediaType("image") : content is UriContent uri && uri.HasTopLevelMediaType("image");
}
