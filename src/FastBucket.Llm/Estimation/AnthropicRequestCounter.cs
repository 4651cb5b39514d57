using System.Text.Json;

namespace FastBucket.Estimation;

/// <summary>Counts an Anthropic Messages request (<c>system</c>, <c>messages</c>, <c>tools</c>) approximately.</summary>
/// <remarks>
/// Claude's tokenizer is not public. Text is counted with o200k_base and scaled by <see cref="TextFactor"/>
/// (Anthropic states that OpenAI tokenizers undercount Claude text by about 15-20%); tool inputs, tool results and
/// schemas are counted as their JSON. Fixed estimates: <see cref="TokensPerMessage"/> per message, the tool-use system
/// prompt Anthropic documents for current models when tools are present (<see cref="ToolSystemPromptTokens"/> for
/// <c>tool_choice</c> auto or none, <see cref="ForcedToolSystemPromptTokens"/> for any or a named tool),
/// <see cref="ImageTokens"/> per image (the most an image costs after Anthropic's resize to about 1.15 megapixels,
/// pixels / 750) and <see cref="DocumentTokens"/> per PDF document (one page at the top of the stated 1,500-3,000).
/// The calibrator corrects the rest from reported usage.
/// </remarks>
internal sealed class AnthropicRequestCounter
{
    /// <summary>Claude tokens per o200k token of text.</summary>
    internal const double TextFactor = 1.2;

    /// <summary>Framing tokens per message (estimate).</summary>
    internal const int TokensPerMessage = 3;

    /// <summary>Tool-use system prompt with <c>tool_choice</c> auto or none (Claude 4 family, Anthropic's tool-use pricing).</summary>
    internal const int ToolSystemPromptTokens = 346;

    /// <summary>Tool-use system prompt with <c>tool_choice</c> any or a named tool.</summary>
    internal const int ForcedToolSystemPromptTokens = 313;

    /// <summary>Tokens per image of unknown size.</summary>
    internal const int ImageTokens = 1600;

    /// <summary>Tokens per PDF or other binary document of unknown length.</summary>
    internal const int DocumentTokens = 3000;

    private readonly TokenCounter _counter;
    private long _text;
    private long _fixed;

    private AnthropicRequestCounter(TokenCounter counter) => _counter = counter;

    /// <summary>Counts a Messages request body, or returns <see langword="null"/> when it has no <c>messages</c>.</summary>
    public static CountedRequest? Count(JsonElement root, TokenCounter counter, int defaultOutputTokens)
    {
        JsonElement messages = JsonShape.Get(root, "messages");
        if (messages.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var walker = new AnthropicRequestCounter(counter);
        walker.CountContent(JsonShape.Get(root, "system"));
        foreach (JsonElement message in messages.EnumerateArray())
        {
            if (message.ValueKind == JsonValueKind.Object)
            {
                walker._fixed += TokensPerMessage;
                walker.CountContent(JsonShape.Get(message, "content"));
            }
        }

        walker.CountTools(root);
        long output = OutputReservation.Read(root, defaultOutputTokens, null, "max_tokens");
        return new CountedRequest(walker._text, walker._fixed, output);
    }

    private void CountContent(JsonElement content)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                _text += _counter.CountValue(content);
                break;
            case JsonValueKind.Array:
                foreach (JsonElement block in content.EnumerateArray())
                {
                    CountBlock(block);
                }

                break;
            case JsonValueKind.Object:
                CountBlock(content);
                break;
        }
    }

    private void CountBlock(JsonElement block)
    {
        if (block.ValueKind == JsonValueKind.String)
        {
            _text += _counter.CountValue(block);
            return;
        }

        if (block.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        switch (JsonShape.GetString(block, "type"))
        {
            case "text":
                _text += _counter.CountValue(JsonShape.Get(block, "text"));
                break;
            case "image":
                _fixed += ImageTokens;
                break;
            case "document":
                CountDocument(block);
                break;
            case "tool_use":
            case "server_tool_use":
                _text += _counter.CountValue(JsonShape.Get(block, "name")) + _counter.CountValue(JsonShape.Get(block, "input"));
                break;
            case "tool_result":
                CountContent(JsonShape.Get(block, "content"));
                break;
            case "thinking":
                _text += _counter.CountValue(JsonShape.Get(block, "thinking"));
                break;
            case "redacted_thinking":
                // Encrypted; its size in tokens cannot be told from the ciphertext.
                break;
            default:
                _text += _counter.CountValue(block);
                break;
        }
    }

    private void CountDocument(JsonElement block)
    {
        JsonElement source = JsonShape.Get(block, "source");
        switch (JsonShape.GetString(source, "type"))
        {
            case "text":
                _text += _counter.CountValue(JsonShape.Get(source, "data"));
                break;
            case "content":
                CountContent(JsonShape.Get(source, "content"));
                break;
            default:
                _fixed += DocumentTokens;
                break;
        }
    }

    private void CountTools(JsonElement root)
    {
        bool any = false;
        foreach (JsonElement tool in JsonShape.Items(JsonShape.Get(root, "tools")))
        {
            any = true;
            JsonElement schema = JsonShape.Get(tool, "input_schema");
            _text += schema.ValueKind == JsonValueKind.Undefined
                ? _counter.CountValue(tool)
                : _counter.CountValue(JsonShape.Get(tool, "name"))
                  + _counter.CountValue(JsonShape.Get(tool, "description"))
                  + _counter.CountValue(schema);
        }

        if (any)
        {
            JsonElement choice = JsonShape.Get(root, "tool_choice");
            bool forced = JsonShape.StringEquals(choice, "type", "any") || JsonShape.StringEquals(choice, "type", "tool");
            _fixed += forced ? ForcedToolSystemPromptTokens : ToolSystemPromptTokens;
        }
    }
}
