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
/// responses and tool declarations are counted as their JSON. Inline and file media are charged as
/// <see cref="Media.GeminiMediaTokens"/> says: images by their tiles, PDFs by their pages, audio and video by their
/// length, each read from the request where it says (base64 data, <c>videoMetadata</c> offsets).
/// </remarks>
internal sealed class GeminiRequestCounter
{
    /// <summary>Gemini tokens per o200k token of text.</summary>
    internal const double TextFactor = 1.1;

    /// <summary>Tokens per image tile or PDF page.</summary>
    internal const int MediaTokens = Media.GeminiMediaTokens.TileTokens;

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

    private static long CountMedia(JsonElement media, JsonElement part, bool inline)
    {
        string mimeType = JsonShape.GetString(media, "mimeType") ?? JsonShape.GetString(media, "mime_type") ?? string.Empty;
        ReadOnlySpan<byte> data = inline ? Media.Base64Payload.Text(JsonShape.Get(media, "data"), out _) : default;
        if (mimeType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            return Media.GeminiMediaTokens.Image(inline ? Media.Base64Payload.ImageSizeOf(JsonShape.Get(media, "data")) : null);
        }

        if (mimeType.Equals("application/pdf", StringComparison.OrdinalIgnoreCase))
        {
            return Media.GeminiMediaTokens.Pdf(data.IsEmpty ? 1 : Media.PdfPageCounter.CountBase64(data));
        }

        bool video = mimeType.StartsWith("video/", StringComparison.OrdinalIgnoreCase);
        bool audio = mimeType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase);
        if (!video && !audio)
        {
            // A text file, code, or a type not known here: one tile's worth, corrected by the calibrator.
            return MediaTokens;
        }

        JsonElement metadata = JsonShape.Get(part, "videoMetadata", "video_metadata");
        double seconds = ClipSeconds(metadata)
            ?? (data.IsEmpty
                ? Media.GeminiMediaTokens.UnknownClipSeconds
                : (double)Media.Base64Payload.DecodedLength(data) / (video ? Media.GeminiMediaTokens.VideoBytesPerSecond : Media.GeminiMediaTokens.AudioBytesPerSecond));
        if (!video)
        {
            return Media.GeminiMediaTokens.Audio(seconds);
        }

        double fps = JsonShape.Get(metadata, "fps") is { ValueKind: JsonValueKind.Number } rate && rate.TryGetDouble(out double f) && f > 0 && f <= 24 ? f : 1;
        return Media.GeminiMediaTokens.Video(seconds, fps);
    }

    /// <summary>The clip length a part's <c>videoMetadata</c> gives (<c>startOffset</c> to <c>endOffset</c>, "1.5s" durations).</summary>
    private static double? ClipSeconds(JsonElement metadata)
    {
        string? start = JsonShape.GetString(metadata, "startOffset") ?? JsonShape.GetString(metadata, "start_offset") ?? "0s";
        string? end = JsonShape.GetString(metadata, "endOffset") ?? JsonShape.GetString(metadata, "end_offset");
        if (end is null
            || !Providers.Wire.GoDuration.TryParse(start, out TimeSpan from)
            || !Providers.Wire.GoDuration.TryParse(end, out TimeSpan to)
            || to <= from)
        {
            return null;
        }

        return (to - from).TotalSeconds;
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
                    _fixed += CountMedia(field.Value, part, inline: true);
                    break;
                case "fileData":
                case "file_data":
                    _fixed += CountMedia(field.Value, part, inline: false);
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
