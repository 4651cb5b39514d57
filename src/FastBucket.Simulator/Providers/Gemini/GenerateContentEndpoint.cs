using System.Text.Json;
using FastBucket.Simulator.Generation;
using FastBucket.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace FastBucket.Simulator.Providers.Gemini;

/// <summary>
/// <c>POST /v1beta/models/{model}:generateContent</c> and <c>:streamGenerateContent</c>: a
/// <c>GenerateContentResponse</c> with <c>usageMetadata</c>; streamed as a JSON array by default or, with
/// <c>alt=sse</c>, as <c>data:</c> events. Every chunk carries <c>promptTokenCount</c>; the last adds the
/// candidate count and the finish reason.
/// </summary>
internal sealed class GenerateContentEndpoint : IGenerationEndpoint
{
    private static readonly byte[] SsePrefix = "data: "u8.ToArray();
    private static readonly byte[] SseTerminator = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] ArrayOpen = "["u8.ToArray();
    private static readonly byte[] ArraySeparator = "\n,\r\n"u8.ToArray();
    private static readonly byte[] ArrayClose = "\n]"u8.ToArray();

    private readonly GenerationSettings _settings;

    public GenerateContentEndpoint(ProviderDialect dialect, GenerationSettings settings)
    {
        Dialect = dialect;
        _settings = settings;
    }

    public ProviderDialect Dialect { get; }

    public GenerationRequest? Parse(JsonElement body, HttpRequest request, out RequestRejection? rejection)
    {
        rejection = null;
        string target = request.RouteValues["target"] as string ?? string.Empty;
        int colon = target.LastIndexOf(':');
        string model = colon > 0 ? target[..colon] : string.Empty;
        string method = colon > 0 ? target[(colon + 1)..] : string.Empty;
        if (model.Length == 0 || method is not ("generateContent" or "streamGenerateContent"))
        {
            rejection = new RequestRejection(StatusCodes.Status404NotFound, $"models/{target} is not found for API version v1beta, or is not supported for this method.");
            return null;
        }

        if (RequestJson.Property(body, "contents") is not JsonElement { ValueKind: JsonValueKind.Array } contents || contents.GetArrayLength() == 0)
        {
            rejection = RequestRejection.Invalid("* GenerateContentRequest.contents: contents is not specified\n");
            return null;
        }

        long inputTokens = 0;
        if ((RequestJson.Property(body, "systemInstruction") ?? RequestJson.Property(body, "system_instruction")) is JsonElement system)
        {
            inputTokens += TokenEstimator.Message(PartsText(system));
        }

        foreach (JsonElement content in contents.EnumerateArray())
        {
            inputTokens += TokenEstimator.Message(PartsText(content));
        }

        JsonElement? config = RequestJson.Property(body, "generationConfig") ?? RequestJson.Property(body, "generation_config");
        int? maxOutput = null;
        if (config is JsonElement settings)
        {
            string name = RequestJson.Property(settings, "maxOutputTokens") is not null ? "maxOutputTokens" : "max_output_tokens";
            if (!RequestJson.TryReadLimit(settings, name, 1, out maxOutput, out string? error))
            {
                rejection = RequestRejection.Invalid($"* GenerateContentRequest.generation_config.max_output_tokens: {error}\n");
                return null;
            }
        }

        return new GenerationRequest
        {
            Model = model,
            InputTokens = inputTokens,
            MaxOutputTokens = maxOutput ?? _settings.DefaultMaxOutputTokens,
            Stream = method == "streamGenerateContent",
            IncludeUsage = true,
            ServerSentEvents = string.Equals(request.Query["alt"], "sse", StringComparison.OrdinalIgnoreCase),
        };
    }

    public string NewResponseId(Random random) => RandomIdentifiers.Alphanumeric(random, 22);

    public int ExpectedChunks(GenerationRequest request, GeneratedCompletion completion) =>
        Math.Max(1, completion.ChunkCount(_settings.TokensPerChunk));

    public async Task WriteAsync(ResponseChannel channel, GenerationRequest request, GeneratedCompletion completion, CancellationToken cancellationToken)
    {
        if (!request.Stream)
        {
            await channel.WriteJsonAsync(Chunk(request, completion, completion.Text, last: true), cancellationToken).ConfigureAwait(false);
            return;
        }

        await channel.StartStreamAsync(request.ServerSentEvents ? "text/event-stream" : "application/json; charset=UTF-8", cancellationToken).ConfigureAwait(false);
        string[] pieces = [.. completion.Chunks(_settings.TokensPerChunk)];
        if (pieces.Length == 0)
        {
            pieces = [string.Empty];
        }

        for (int i = 0; i < pieces.Length; i++)
        {
            byte[] json = Chunk(request, completion, pieces[i], last: i == pieces.Length - 1);
            if (request.ServerSentEvents)
            {
                await channel.WriteChunkAsync(SsePrefix, json, SseTerminator, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await channel.WriteChunkAsync(i == 0 ? ArrayOpen : ArraySeparator, json, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            }
        }

        await channel.CompleteStreamAsync(cancellationToken).ConfigureAwait(false);
        if (!request.ServerSentEvents)
        {
            await channel.WriteRawAsync(ArrayClose, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string PartsText(JsonElement content) =>
        RequestJson.Property(content, "parts") is JsonElement parts ? RequestJson.Text(parts) : string.Empty;

    private static byte[] Chunk(GenerationRequest request, GeneratedCompletion completion, string text, bool last) =>
        JsonPayload.Write((request, completion, text, last), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("candidates");
            writer.WriteStartObject();
            writer.WriteStartObject("content");
            writer.WriteStartArray("parts");
            writer.WriteStartObject();
            writer.WriteString("text", state.text);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteString("role", "model");
            writer.WriteEndObject();
            if (state.last)
            {
                writer.WriteString("finishReason", state.completion.ReachedMaximum ? "MAX_TOKENS" : "STOP");
            }

            writer.WriteNumber("index", 0);
            writer.WriteEndObject();
            writer.WriteEndArray();

            long prompt = state.request.InputTokens;
            writer.WriteStartObject("usageMetadata");
            writer.WriteNumber("promptTokenCount", prompt);
            if (state.last)
            {
                writer.WriteNumber("candidatesTokenCount", state.completion.OutputTokens);
            }

            writer.WriteNumber("totalTokenCount", prompt + (state.last ? state.completion.OutputTokens : 0));
            writer.WriteStartArray("promptTokensDetails");
            writer.WriteStartObject();
            writer.WriteString("modality", "TEXT");
            writer.WriteNumber("tokenCount", prompt);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();

            writer.WriteString("modelVersion", state.request.Model);
            writer.WriteString("responseId", state.completion.Id);
            writer.WriteEndObject();
        });
}
