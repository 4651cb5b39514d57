using System.Text.Json;

namespace FastBucket.Estimation;

/// <summary>
/// Counts OpenAI request bodies: Chat Completions (<c>messages</c>), Responses (<c>input</c> + <c>instructions</c>),
/// Embeddings (<c>input</c>) and legacy Completions (<c>prompt</c>). Also used for the OpenAI-compatible APIs
/// (Azure OpenAI, OpenRouter, Groq, generic servers).
/// </summary>
/// <remarks>
/// Chat messages follow the OpenAI cookbook "How to count tokens with tiktoken": 3 tokens per message, the tokens of
/// every string field (role, content, name, ...), 1 more per <c>name</c>, and 3 to prime the reply. Function tools
/// follow the cookbook's formula for tools (per function 7 tokens on o200k models, 10 on cl100k models; 3 to open the
/// properties, 3 per property, -3 to open an enum and 3 per enum item, 12 to close the list), with nested schemas
/// counted as their raw JSON. Images follow OpenAI's vision pricing for the model (<see cref="Media.OpenAIImageTokens"/>),
/// their size read from a base64 data URL where one is given. A PDF given as base64 data is charged per page: the
/// image of a page at high detail (612 x 792 points at 2x) plus <see cref="PdfTextTokensPerPage"/> for its text. Not
/// published by OpenAI and so estimated: 3 tokens per assistant tool call on top of its name and arguments,
/// <see cref="OtherPartTokens"/> per audio part, file given by id, or part not known here, and the Responses API
/// framed like chat messages.
/// </remarks>
internal sealed class OpenAIRequestCounter
{
    /// <summary>Framing tokens per chat message (cookbook).</summary>
    internal const int TokensPerMessage = 3;

    /// <summary>Extra tokens when a message has a <c>name</c> (cookbook).</summary>
    internal const int TokensPerName = 1;

    /// <summary>Tokens that prime the reply, <c>&lt;|start|&gt;assistant&lt;|message|&gt;</c> (cookbook).</summary>
    internal const int ReplyPrimingTokens = 3;

    /// <summary>Framing tokens per tool call or tool output (estimate).</summary>
    internal const int TokensPerToolCall = 3;

    /// <summary>Tokens per audio part, file given by id, or content part not known here (a 1024 x 1024 gpt-4o image's worth).</summary>
    internal const int OtherPartTokens = 765;

    /// <summary>Text tokens per PDF page, beside the page's image (a dense page of prose).</summary>
    internal const int PdfTextTokensPerPage = 1000;

    /// <summary>The image OpenAI makes of a PDF page: US Letter at 144 dpi.</summary>
    private static readonly Media.ImageSize s_pdfPageImage = new(1224, 1584);

    private static readonly FunctionFraming O200kFraming = new(FunctionStart: 7, PropertiesStart: 3, PropertyKey: 3, EnumStart: -3, EnumItem: 3, FunctionsEnd: 12);
    private static readonly FunctionFraming Cl100kFraming = new(FunctionStart: 10, PropertiesStart: 3, PropertyKey: 3, EnumStart: -3, EnumItem: 3, FunctionsEnd: 12);

    private readonly TokenCounter _counter;
    private readonly FunctionFraming _framing;
    private long _text;
    private long _fixed;
    private long _characters;

    private readonly string? _model;

    private OpenAIRequestCounter(TokenCounter counter, TiktokenEncoding encoding, string? model)
    {
        _counter = counter;
        _model = model;
        _framing = encoding == TiktokenEncoding.Cl100kBase ? Cl100kFraming : O200kFraming;
    }

    /// <summary>Counts a request body, or returns <see langword="null"/> when it is none of the shapes above.</summary>
    public static CountedRequest? Count(JsonElement root, TokenCounter counter, TiktokenEncoding encoding, string? model, int defaultOutputTokens)
    {
        var walker = new OpenAIRequestCounter(counter, encoding, model);
        long output;
        if (JsonShape.Get(root, "messages") is { ValueKind: JsonValueKind.Array } messages)
        {
            walker.CountChat(root, messages);
            output = OutputReservation.Read(root, defaultOutputTokens, "n", "max_completion_tokens", "max_tokens");
        }
        else if (JsonShape.Get(root, "input") is { ValueKind: not JsonValueKind.Undefined } input)
        {
            if (IsEmbeddingRequest(root, input, model))
            {
                walker.CountEmbeddingInput(input);
                output = 0;
            }
            else
            {
                walker.CountResponses(root, input);
                output = OutputReservation.Read(root, defaultOutputTokens, null, "max_output_tokens");
            }
        }
        else if (JsonShape.Get(root, "prompt") is { ValueKind: not JsonValueKind.Undefined } prompt)
        {
            walker.CountEmbeddingInput(prompt);
            walker._text += walker.CountValue(JsonShape.Get(root, "suffix"));
            long n = OutputReservation.TryReadWholeNumber(root, "n", out long choices) ? choices : 1;
            long bestOf = OutputReservation.TryReadWholeNumber(root, "best_of", out long best) ? best : 1;
            long perChoice = OutputReservation.Read(root, defaultOutputTokens, null, "max_tokens");
            output = Math.Min(perChoice * Math.Clamp(Math.Max(n, bestOf), 1, OutputReservation.MaxChoices), TokenEstimatorOptions.MaxOutputTokens);
        }
        else
        {
            return null;
        }

        return new CountedRequest(walker._text, walker._fixed, output) { TextCharacters = walker._characters };
    }

    /// <summary>Tokens of a JSON value (see <see cref="TokenCounter.CountValue"/>), its UTF-8 length counted as characters.</summary>
    private int CountValue(JsonElement value)
    {
        if (value.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            // The raw UTF-8 length: a string's characters where they are ASCII, more where they are not (never fewer),
            // and its two quotes, as the request itself carries them.
            _characters += System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value).Length;
        }

        return _counter.CountValue(value);
    }

    /// <summary>Tokens of <paramref name="text"/>, its length counted as characters.</summary>
    private int CountText(string text)
    {
        _characters += text.Length;
        return _counter.Count(text);
    }

    /// <summary>
    /// An <c>input</c> is an embedding input when the model says so, when the body has an embeddings-only option,
    /// or when the input is a list of strings or token ids (Responses input items are objects).
    /// </summary>
    private static bool IsEmbeddingRequest(JsonElement root, JsonElement input, string? model)
    {
        if (model is not null && model.Contains("embed", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (JsonShape.Get(root, "encoding_format").ValueKind != JsonValueKind.Undefined
            || JsonShape.Get(root, "dimensions").ValueKind != JsonValueKind.Undefined)
        {
            return true;
        }

        if (input.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in input.EnumerateArray())
            {
                return item.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Array;
            }
        }

        return false;
    }

    private void CountChat(JsonElement root, JsonElement messages)
    {
        foreach (JsonElement message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            _fixed += TokensPerMessage;
            foreach (JsonProperty field in message.EnumerateObject())
            {
                switch (field.Name)
                {
                    case "content":
                        CountContent(field.Value);
                        break;
                    case "name":
                        _text += CountValue(field.Value);
                        _fixed += TokensPerName;
                        break;
                    case "tool_calls":
                        foreach (JsonElement call in JsonShape.Items(field.Value))
                        {
                            CountToolCall(call);
                        }

                        break;
                    case "function_call":
                        CountToolCall(field.Value);
                        break;
                    default:
                        // The cookbook counts every string field (role, tool_call_id, ...); other values carry no prompt text.
                        if (field.Value.ValueKind == JsonValueKind.String)
                        {
                            _text += CountValue(field.Value);
                        }

                        break;
                }
            }
        }

        _fixed += ReplyPrimingTokens;
        CountFunctionTools(JsonShape.Get(root, "tools"), JsonShape.Get(root, "functions"));

        // A structured-output schema is shown to the model; counted as its raw JSON.
        JsonElement format = JsonShape.Get(root, "response_format");
        _text += CountValue(JsonShape.Get(format, "json_schema"));
    }

    private void CountResponses(JsonElement root, JsonElement input)
    {
        JsonElement instructions = JsonShape.Get(root, "instructions");
        if (instructions.ValueKind == JsonValueKind.String)
        {
            CountLoneMessage(instructions);
        }

        if (input.ValueKind == JsonValueKind.String)
        {
            CountLoneMessage(input);
        }
        else
        {
            foreach (JsonElement item in JsonShape.Items(input))
            {
                CountResponsesItem(item);
            }
        }

        _fixed += ReplyPrimingTokens;
        CountFunctionTools(JsonShape.Get(root, "tools"), default);
        JsonElement format = JsonShape.Get(JsonShape.Get(root, "text"), "format");
        if (JsonShape.StringEquals(format, "type", "json_schema"))
        {
            _text += CountValue(JsonShape.Get(format, "schema"));
        }
    }

    private void CountLoneMessage(JsonElement text)
    {
        // Framed like a chat message whose role ("user", "developer") is one token.
        _fixed += TokensPerMessage + 1;
        _text += CountValue(text);
    }

    private void CountResponsesItem(JsonElement item)
    {
        if (item.ValueKind == JsonValueKind.String)
        {
            CountLoneMessage(item);
            return;
        }

        if (item.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        string? type = JsonShape.GetString(item, "type");
        JsonElement role = JsonShape.Get(item, "role");
        if (role.ValueKind == JsonValueKind.String || type == "message")
        {
            _fixed += TokensPerMessage;
            _text += CountValue(role);
            CountContent(JsonShape.Get(item, "content"));
            return;
        }

        switch (type)
        {
            case "function_call":
                _fixed += TokensPerToolCall;
                _text += CountValue(JsonShape.Get(item, "name")) + CountValue(JsonShape.Get(item, "arguments"));
                break;
            case "custom_tool_call":
                _fixed += TokensPerToolCall;
                _text += CountValue(JsonShape.Get(item, "name")) + CountValue(JsonShape.Get(item, "input"));
                break;
            case "function_call_output":
            case "custom_tool_call_output":
                _fixed += TokensPerToolCall;
                CountContent(JsonShape.Get(item, "output"));
                break;
            case "reasoning":
                foreach (JsonElement summary in JsonShape.Items(JsonShape.Get(item, "summary")))
                {
                    _text += CountValue(JsonShape.Get(summary, "text"));
                }

                break;
            case "item_reference":
                break;
            default:
                // Built-in tool items (web search, file search, computer use ...): their JSON is the best guess.
                _text += CountValue(item);
                break;
        }
    }

    private void CountContent(JsonElement content)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                _text += CountValue(content);
                break;
            case JsonValueKind.Array:
                foreach (JsonElement part in content.EnumerateArray())
                {
                    CountContentPart(part);
                }

                break;
            case JsonValueKind.Object:
                CountContentPart(content);
                break;
        }
    }

    private void CountContentPart(JsonElement part)
    {
        if (part.ValueKind == JsonValueKind.String)
        {
            _text += CountValue(part);
            return;
        }

        if (part.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        switch (JsonShape.GetString(part, "type"))
        {
            case "text":
            case "input_text":
            case "output_text":
                _text += CountValue(JsonShape.Get(part, "text"));
                break;
            case "refusal":
                _text += CountValue(JsonShape.Get(part, "refusal"));
                break;
            case "image_url":
            case "input_image":
                JsonElement image = JsonShape.Get(part, "image_url");
                bool low = JsonShape.StringEquals(image, "detail", "low") || JsonShape.StringEquals(part, "detail", "low");
                JsonElement url = image.ValueKind == JsonValueKind.Object ? JsonShape.Get(image, "url") : image;
                _fixed += Media.OpenAIImageTokens.For(_model, low ? null : Media.Base64Payload.ImageSizeOf(url), low);
                break;
            case "file":
            case "input_file":
                JsonElement file = JsonShape.Get(part, "file");
                JsonElement data = JsonShape.Get(file.ValueKind == JsonValueKind.Object ? file : part, "file_data");
                ReadOnlySpan<byte> pdf = Media.Base64Payload.Text(data, out _);
                _fixed += pdf.IsEmpty
                    ? OtherPartTokens
                    : Media.PdfPageCounter.CountBase64(pdf) * (Media.OpenAIImageTokens.For(_model, s_pdfPageImage, lowDetail: false) + PdfTextTokensPerPage);
                break;
            default:
                // Audio and parts not known here: a fixed estimate, plus any text they carry.
                _fixed += OtherPartTokens;
                _text += CountValue(JsonShape.Get(part, "text"));
                break;
        }
    }

    private void CountToolCall(JsonElement call)
    {
        if (call.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        _fixed += TokensPerToolCall;
        JsonElement function = JsonShape.Get(call, "function");
        if (function.ValueKind != JsonValueKind.Object)
        {
            function = JsonShape.Get(call, "custom");
        }

        if (function.ValueKind != JsonValueKind.Object)
        {
            // The legacy function_call is the function object itself.
            function = call;
        }

        _text += CountValue(JsonShape.Get(function, "name"))
            + CountValue(JsonShape.Get(function, "arguments"))
            + CountValue(JsonShape.Get(function, "input"));
    }

    private void CountFunctionTools(JsonElement tools, JsonElement legacyFunctions)
    {
        bool any = false;
        foreach (JsonElement tool in JsonShape.Items(tools))
        {
            JsonElement nested = JsonShape.Get(tool, "function");
            if (nested.ValueKind == JsonValueKind.Object)
            {
                // Chat Completions: {"type": "function", "function": {...}}.
                CountFunctionDefinition(nested);
                any = true;
            }
            else if (JsonShape.StringEquals(tool, "type", "function"))
            {
                // Responses: {"type": "function", "name": ..., "parameters": ...}.
                CountFunctionDefinition(tool);
                any = true;
            }
            else
            {
                // Built-in and custom tools: formatting unpublished; their JSON is the best guess.
                _text += CountValue(tool);
            }
        }

        foreach (JsonElement function in JsonShape.Items(legacyFunctions))
        {
            CountFunctionDefinition(function);
            any = true;
        }

        if (any)
        {
            _fixed += _framing.FunctionsEnd;
        }
    }

    private void CountFunctionDefinition(JsonElement function)
    {
        _fixed += _framing.FunctionStart;
        string name = JsonShape.GetString(function, "name") ?? string.Empty;
        string description = WithoutFinalPeriod(JsonShape.GetString(function, "description"));
        _text += CountText(string.Concat(name, ":", description));

        JsonElement properties = JsonShape.Get(JsonShape.Get(function, "parameters"), "properties");
        if (properties.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        bool first = true;
        foreach (JsonProperty property in properties.EnumerateObject())
        {
            if (first)
            {
                _fixed += _framing.PropertiesStart;
                first = false;
            }

            _fixed += _framing.PropertyKey;
            JsonElement schema = property.Value;
            JsonElement values = JsonShape.Get(schema, "enum");
            if (values.ValueKind == JsonValueKind.Array)
            {
                _fixed += _framing.EnumStart;
                foreach (JsonElement value in values.EnumerateArray())
                {
                    _fixed += _framing.EnumItem;
                    _text += CountValue(value);
                }
            }

            JsonElement type = JsonShape.Get(schema, "type");
            string typeText = type.ValueKind switch
            {
                JsonValueKind.String => type.GetString()!,
                JsonValueKind.Undefined => string.Empty,
                _ => type.GetRawText(),
            };
            string propertyDescription = WithoutFinalPeriod(JsonShape.GetString(schema, "description"));
            _text += CountText(string.Concat(property.Name, ":", typeText, ":", propertyDescription));

            // The cookbook's formula stops at flat properties; nested schemas are counted as their JSON.
            _text += CountValue(JsonShape.Get(schema, "properties"))
                + CountValue(JsonShape.Get(schema, "items"))
                + CountValue(JsonShape.Get(schema, "anyOf"))
                + CountValue(JsonShape.Get(schema, "oneOf"));
        }
    }

    private static string WithoutFinalPeriod(string? text) =>
        string.IsNullOrEmpty(text) ? string.Empty : text.EndsWith('.') ? text[..^1] : text;

    private void CountEmbeddingInput(JsonElement input)
    {
        switch (input.ValueKind)
        {
            case JsonValueKind.String:
                _text += CountValue(input);
                break;
            case JsonValueKind.Number:
                // One token id.
                _fixed += 1;
                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in input.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Array)
                    {
                        // A pre-tokenized input: its length is its token count.
                        _fixed += item.GetArrayLength();
                    }
                    else
                    {
                        CountEmbeddingInput(item);
                    }
                }

                break;
            case JsonValueKind.Object:
                _text += CountValue(input);
                break;
        }
    }

    /// <summary>The cookbook's per-encoding constants for function definitions.</summary>
    private sealed record FunctionFraming(int FunctionStart, int PropertiesStart, int PropertyKey, int EnumStart, int EnumItem, int FunctionsEnd);
}
