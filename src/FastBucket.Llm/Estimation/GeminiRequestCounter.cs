using System.Text.Json;

namespace FastBucket.Estimation;

/// <summary>
/// Counts a Gemini request approximately: <c>generateContent</c> (<c>contents</c>, <c>systemInstruction</c>,
/// <c>tools</c>), <c>embedContent</c> (<c>content</c>) and <c>batchEmbedContents</c> (<c>requests</c>).
/// camelCase and snake_case field names are both read, as the REST API accepts both.
/// </summary>
/// <remarks>
/// Gemini's tokenizer is not shipped here. Text is counted with o200k_base and scaled by <see cref="TextFactor"/>
/// (Google states a Gemini token is about 4 characters; o200k averages a little more on English text). Function calls,
/// responses and tool declarations are counted as their JSON. Each inline or file media part is charged
/// <see cref="MediaTokens"/> (one image tile, per Google's token documentation); long audio or video is undercounted
/// until the calibrator learns from usage.
/// </remarks>
internal sealed class GeminiRequestCounter
{
    /// <summary>Gemini tokens per o200k token of text.</summary>
    internal const double TextFactor = 1.1;

    /// <summary>Tokens per inline or file media part (one 768 x 768 image tile).</summary>
    internal const int MediaTokens = 258;

    private readonly TokenCounter _counter;
    private long _text;
    private long _fixed;

    private GeminiRequestCounter(TokenCounter counter) => _counter = counter;

    /// <summary>Counts a request body, or returns <see langword="null"/> when it is none of the shapes above.</summary>
    public static CountedRequest? Count(JsonElement root, TokenCounter counter, int defaultOutputTokens)
    {
        var walker = new GeminiRequestCounter(counter);
        JsonElement contents = JsonShape.Get(root, "contents");
        if (contents.ValueKind != JsonValueKind.Undefined)
        {
            foreach (JsonElement content in JsonShape.Items(contents))
            {
                walker.CountContent(content);
            }

            walker.CountContent(JsonShape.Get(root, "systemInstruction", "system_instruction"));
            foreach (JsonElement tool in JsonShape.Items(JsonShape.Get(root, "tools")))
            {
                walker._text += counter.CountValue(tool);
            }

            JsonElement config = JsonShape.Get(root, "generationConfig", "generation_config");
            long perChoice = OutputReservation.Read(config, defaultOutputTokens, null, "maxOutputTokens", "max_output_tokens");
            long candidates = 1;
            if ((OutputReservation.TryReadWholeNumber(config, "candidateCount", out long n)
                 || OutputReservation.TryReadWholeNumber(config, "candidate_count", out n)) && n >= 1)
            {
                candidates = Math.Min(n, OutputReservation.MaxChoices);
            }

            return new CountedRequest(walker._text, walker._fixed, Math.Min(perChoice * candidates, TokenEstimatorOptions.MaxOutputTokens));
        }

        JsonElement single = JsonShape.Get(root, "content");
        JsonElement batch = JsonShape.Get(root, "requests");
        if (single.ValueKind == JsonValueKind.Undefined && batch.ValueKind == JsonValueKind.Undefined)
        {
            return null;
        }

        // Embeddings produce no output tokens.
        walker.CountContent(single);
        foreach (JsonElement request in JsonShape.Items(batch))
        {
            walker.CountContent(JsonShape.Get(request, "content"));
        }

        return new CountedRequest(walker._text, walker._fixed, 0);
    }

    private void CountContent(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            _text += _counter.CountValue(content);
            return;
        }

        foreach (JsonElement part in JsonShape.Items(JsonShape.Get(content, "parts")))
        {
            CountPart(part);
        }
    }

    private void CountPart(JsonElement part)
    {
        if (part.ValueKind == JsonValueKind.String)
        {
            _text += _counter.CountValue(part);
            return;
        }

        if (part.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (JsonProperty field in part.EnumerateObject())
        {
            switch (field.Name)
            {
                case "text":
                    _text += _counter.CountValue(field.Value);
                    break;
                case "inlineData":
                case "inline_data":
                case "fileData":
                case "file_data":
                    _fixed += MediaTokens;
                    break;
                case "functionCall":
                case "function_call":
                case "functionResponse":
                case "function_response":
                    _text += _counter.CountValue(field.Value);
                    break;
                case "executableCode":
                case "executable_code":
                    _text += _counter.CountValue(JsonShape.Get(field.Value, "code"));
                    break;
                case "codeExecutionResult":
                case "code_execution_result":
                    _text += _counter.CountValue(JsonShape.Get(field.Value, "output"));
                    break;
                default:
                    // thought flags, thought signatures, video metadata: not prompt text.
                    break;
            }
        }
    }
}
