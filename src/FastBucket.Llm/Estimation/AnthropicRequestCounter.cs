using System.Runtime.InteropServices;
using System.Text.Json;

namespace FastBucket.Estimation;

/// <summary>Counts an Anthropic Messages request (<c>system</c>, <c>messages</c>, <c>tools</c>) approximately.</summary>
/// <remarks>
/// Claude's tokenizer is not public. Text is counted with o200k_base and scaled by <see cref="TextFactor"/>
/// (Anthropic states that OpenAI tokenizers undercount Claude text by about 15-20%); tool inputs, tool results and
/// schemas are counted as their JSON. Fixed estimates: <see cref="TokensPerMessage"/> per message, the tool-use system
/// prompt Anthropic documents for current models when tools are present (<see cref="ToolSystemPromptTokens"/> for
/// <c>tool_choice</c> auto or none, <see cref="ForcedToolSystemPromptTokens"/> for any or a named tool), images by
/// their size where base64 data gives it (<see cref="Media.AnthropicImageTokens"/>; <see cref="ImageTokens"/>, the most
/// an image costs, otherwise), and <see cref="DocumentTokens"/> per PDF page (the top of the stated 1,500-3,000), its
/// pages counted from base64 data where given, one page otherwise.
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
    internal const int ImageTokens = Media.AnthropicImageTokens.MaxTokens;

    /// <summary>Tokens per PDF page (and per binary document whose pages cannot be counted).</summary>
    internal const int DocumentTokens = 3000;

    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    private readonly TokenCounter _counter;
    private long _text;
    private long _fixed;
    private ulong _hash = FnvOffset;
    private CacheablePrefix? _prefix;

    private AnthropicRequestCounter(TokenCounter counter) => _counter = counter;

    /// <summary>Counts a Messages request body, or returns <see langword="null"/> when it has no <c>messages</c>.</summary>
    public static CountedRequest? Count(JsonElement root, TokenCounter counter, int defaultOutputTokens)
    {
        JsonElement messages = JsonShape.Get(root, "messages");
        if (messages.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        // In the order Anthropic builds its cache prefix: tools, system, messages.
        var walker = new AnthropicRequestCounter(counter);
        walker.CountTools(root);
        walker.CountCacheableContent(JsonShape.Get(root, "system"));
        foreach (JsonElement message in messages.EnumerateArray())
        {
            if (message.ValueKind == JsonValueKind.Object)
            {
                walker._fixed += TokensPerMessage;
                walker.Mix(JsonShape.Get(message, "role"));
                walker.CountCacheableContent(JsonShape.Get(message, "content"));
            }
        }

        long output = OutputReservation.Read(root, defaultOutputTokens, null, "max_tokens");
        return new CountedRequest(walker._text, walker._fixed, output) { Prefix = walker._prefix };
    }

    /// <summary>Counts content whose blocks may carry <c>cache_control</c> breakpoints, following the prefix through them.</summary>
    private void CountCacheableContent(JsonElement content)
    {
        if (content.ValueKind != JsonValueKind.Array)
        {
            CountContent(content);
            Mix(content);
            MarkIfBreakpoint(content);
            return;
        }

        foreach (JsonElement block in content.EnumerateArray())
        {
            CountBlock(block);
            Mix(block);
            MarkIfBreakpoint(block);
        }
    }

    /// <summary>Folds an element's JSON into the running prefix hash (64-bit FNV-1a).</summary>
    private void Mix(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            return;
        }

        ulong hash = _hash;
        foreach (byte b in JsonMarshal.GetRawUtf8Value(element))
        {
            hash = (hash ^ b) * FnvPrime;
        }

        _hash = (hash ^ 0xFF) * FnvPrime;
    }

    /// <summary>A block with <c>cache_control</c> ends a cacheable prefix: everything counted so far.</summary>
    private void MarkIfBreakpoint(JsonElement holder)
    {
        JsonElement cacheControl = JsonShape.Get(holder, "cache_control");
        if (cacheControl.ValueKind == JsonValueKind.Object)
        {
            TimeSpan ttl = JsonShape.StringEquals(cacheControl, "ttl", "1h") ? TimeSpan.FromHours(1) : TimeSpan.FromMinutes(5);
            _prefix = new CacheablePrefix(_text, _fixed, _hash, ttl);
        }
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
                JsonElement source = JsonShape.Get(block, "source");
                _fixed += Media.AnthropicImageTokens.For(JsonShape.StringEquals(source, "type", "base64") ? Media.Base64Payload.ImageSizeOf(JsonShape.Get(source, "data")) : null);
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
            case "base64":
                ReadOnlySpan<byte> pdf = Media.Base64Payload.Text(JsonShape.Get(source, "data"), out _);
                _fixed += DocumentTokens * (pdf.IsEmpty ? 1 : Media.PdfPageCounter.CountBase64(pdf));
                break;
            default:
                _fixed += DocumentTokens;
                break;
        }
    }

    private void CountTools(JsonElement root)
    {
        JsonElement tools = JsonShape.Get(root, "tools");
        if (!JsonShape.Items(tools).Any())
        {
            return;
        }

        // The tool-use system prompt comes first, so that it belongs to any cached prefix of tools.
        JsonElement choice = JsonShape.Get(root, "tool_choice");
        bool forced = JsonShape.StringEquals(choice, "type", "any") || JsonShape.StringEquals(choice, "type", "tool");
        _fixed += forced ? ForcedToolSystemPromptTokens : ToolSystemPromptTokens;
        foreach (JsonElement tool in JsonShape.Items(tools))
        {
            JsonElement schema = JsonShape.Get(tool, "input_schema");
            _text += schema.ValueKind == JsonValueKind.Undefined
                ? _counter.CountValue(tool)
                : _counter.CountValue(JsonShape.Get(tool, "name"))
                  + _counter.CountValue(JsonShape.Get(tool, "description"))
                  + _counter.CountValue(schema);
            Mix(tool);
            MarkIfBreakpoint(tool);
        }
    }
}
