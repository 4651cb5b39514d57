using System.Text.Json;
using FastBucket.Simulator.Generation;
using FastBucket.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace FastBucket.Simulator.Providers.OpenAI;

/// <summary>
/// <c>POST /v1/chat/completions</c> (and OpenRouter's and Azure's copies): a <c>chat.completion</c> body, or
/// <c>chat.completion.chunk</c> events ending, when <c>stream_options.include_usage</c> asks, with a usage chunk
/// whose <c>choices</c> is empty, then <c>data: [DONE]</c>.
/// </summary>
internal sealed class ChatCompletionsEndpoint : IGenerationEndpoint
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    private readonly GenerationSettings _settings;
    private readonly ChatCompletionsFlavor _flavor;

    public ChatCompletionsEndpoint(ProviderDialect dialect, GenerationSettings settings, ChatCompletionsFlavor flavor)
    {
        Dialect = dialect;
        _settings = settings;
        _flavor = flavor;
    }

    public ProviderDialect Dialect { get; }

    public GenerationRequest? Parse(JsonElement body, HttpRequest request, out RequestRejection? rejection)
    {
        rejection = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            rejection = RequestRejection.Invalid("The request body must be a JSON object.");
            return null;
        }

        string? apiVersion = null;
        string? model = RequestJson.String(body, "model");
        if (_flavor == ChatCompletionsFlavor.AzureOpenAI)
        {
            apiVersion = request.Query["api-version"].ToString();
            if (string.IsNullOrWhiteSpace(apiVersion))
            {
                // What Azure answers when api-version is missing.
                rejection = new RequestRejection(StatusCodes.Status404NotFound, "Resource not found");
                return null;
            }

            model = request.RouteValues["deployment"] as string;
        }

        if (string.IsNullOrWhiteSpace(model))
        {
            rejection = RequestRejection.Invalid("you must provide a model parameter");
            return null;
        }

        if (RequestJson.Property(body, "messages") is not JsonElement messages || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            rejection = RequestJson.Property(body, "messages") is null
                ? RequestRejection.Invalid("Missing required parameter: 'messages'.")
                : RequestRejection.Invalid("Invalid 'messages': expected a non-empty array.");
            return null;
        }

        long inputTokens = TokenEstimator.ConversationOverhead;
        foreach (JsonElement message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || RequestJson.String(message, "role") is null)
            {
                rejection = RequestRejection.Invalid("Invalid 'messages': each message must be an object with a 'role'.");
                return null;
            }

            inputTokens += TokenEstimator.Message(RequestJson.Property(message, "content") is JsonElement content ? RequestJson.Text(content) : null);
        }

        if (!RequestJson.TryReadLimit(body, "max_completion_tokens", 1, out int? maxCompletion, out string? error)
            || !RequestJson.TryReadLimit(body, "max_tokens", 1, out int? maxTokens, out error))
        {
            rejection = RequestRejection.Invalid(error!);
            return null;
        }

        bool stream = RequestJson.IsTrue(body, "stream");
        bool includeUsage = _flavor == ChatCompletionsFlavor.OpenRouter
            || (RequestJson.Property(body, "stream_options") is JsonElement options && RequestJson.IsTrue(options, "include_usage"));

        return new GenerationRequest
        {
            Model = model.Trim(),
            InputTokens = inputTokens,
            MaxOutputTokens = maxCompletion ?? maxTokens ?? _settings.DefaultMaxOutputTokens,
            Stream = stream,
            IncludeUsage = includeUsage,
            ApiVersion = apiVersion,
        };
    }

    public string NewResponseId(Random random) => _flavor == ChatCompletionsFlavor.OpenRouter
        ? "gen-" + random.NextInt64(1_700_000_000, 1_800_000_000) + "-" + RandomIdentifiers.Alphanumeric(random, 20)
        : "chatcmpl-" + RandomIdentifiers.Alphanumeric(random, 29);

    public int ExpectedChunks(GenerationRequest request, GeneratedCompletion completion) =>
        completion.ChunkCount(_settings.TokensPerChunk) + 2 + (request.IncludeUsage ? 1 : 0);

    public async Task WriteAsync(ResponseChannel channel, GenerationRequest request, GeneratedCompletion completion, CancellationToken cancellationToken)
    {
        string responseModel = ResponseModel(request);
        if (!request.Stream)
        {
            await channel.WriteJsonAsync(
                JsonPayload.Write((this, request, completion, responseModel), static (writer, state) => state.Item1.WriteCompletion(writer, state.request, state.completion, state.responseModel)),
                cancellationToken).ConfigureAwait(false);
            return;
        }

        await channel.StartStreamAsync("text/event-stream; charset=utf-8", cancellationToken).ConfigureAwait(false);
        var header = new ChunkHeader(completion.Id, completion.Created.ToUnixTimeSeconds(), responseModel, request.IncludeUsage);
        await channel.WriteEventAsync(null, Chunk(header, role: true, content: string.Empty, finishReason: null), cancellationToken).ConfigureAwait(false);
        foreach (string piece in completion.Chunks(_settings.TokensPerChunk))
        {
            await channel.WriteEventAsync(null, Chunk(header, role: false, content: piece, finishReason: null), cancellationToken).ConfigureAwait(false);
        }

        await channel.WriteEventAsync(null, Chunk(header, role: false, content: null, finishReason: FinishReason(completion)), cancellationToken).ConfigureAwait(false);
        if (request.IncludeUsage)
        {
            await channel.WriteEventAsync(null, UsageChunk(header, request, completion), cancellationToken).ConfigureAwait(false);
        }

        await channel.CompleteStreamAsync(cancellationToken).ConfigureAwait(false);
        await channel.WriteRawAsync(Done, cancellationToken).ConfigureAwait(false);
    }

    internal static void WriteUsage(Utf8JsonWriter writer, long promptTokens, int completionTokens)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", promptTokens);
        writer.WriteNumber("completion_tokens", completionTokens);
        writer.WriteNumber("total_tokens", promptTokens + completionTokens);
        writer.WriteStartObject("prompt_tokens_details");
        writer.WriteNumber("cached_tokens", 0);
        writer.WriteNumber("audio_tokens", 0);
        writer.WriteEndObject();
        writer.WriteStartObject("completion_tokens_details");
        writer.WriteNumber("reasoning_tokens", 0);
        writer.WriteNumber("audio_tokens", 0);
        writer.WriteNumber("accepted_prediction_tokens", 0);
        writer.WriteNumber("rejected_prediction_tokens", 0);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static string FinishReason(GeneratedCompletion completion) => completion.ReachedMaximum ? "length" : "stop";

    private string ResponseModel(GenerationRequest request) => request.Model;

    private void WriteCompletion(Utf8JsonWriter writer, GenerationRequest request, GeneratedCompletion completion, string responseModel)
    {
        writer.WriteStartObject();
        writer.WriteString("id", completion.Id);
        writer.WriteString("object", "chat.completion");
        writer.WriteNumber("created", completion.Created.ToUnixTimeSeconds());
        writer.WriteString("model", responseModel);
        if (_flavor == ChatCompletionsFlavor.OpenRouter)
        {
            writer.WriteString("provider", "Simulator");
        }

        writer.WriteStartArray("choices");
        writer.WriteStartObject();
        writer.WriteNumber("index", 0);
        writer.WriteStartObject("message");
        writer.WriteString("role", "assistant");
        writer.WriteString("content", completion.Text);
        writer.WriteNull("refusal");
        writer.WriteStartArray("annotations");
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteNull("logprobs");
        writer.WriteString("finish_reason", FinishReason(completion));
        writer.WriteEndObject();
        writer.WriteEndArray();
        WriteUsage(writer, request.InputTokens, completion.OutputTokens);
        writer.WriteString("service_tier", "default");
        writer.WriteString("system_fingerprint", "fp_simulator");
        writer.WriteEndObject();
    }

    private byte[] Chunk(ChunkHeader header, bool role, string? content, string? finishReason) =>
        JsonPayload.Write((this, header, role, content, finishReason), static (writer, state) =>
        {
            state.Item1.WriteChunkStart(writer, state.header);
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", 0);
            writer.WriteStartObject("delta");
            if (state.role)
            {
                writer.WriteString("role", "assistant");
            }

            if (state.content is not null)
            {
                writer.WriteString("content", state.content);
            }

            if (state.role)
            {
                writer.WriteNull("refusal");
            }

            writer.WriteEndObject();
            writer.WriteNull("logprobs");
            if (state.finishReason is null)
            {
                writer.WriteNull("finish_reason");
            }
            else
            {
                writer.WriteString("finish_reason", state.finishReason);
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
            if (state.header.IncludeUsage)
            {
                writer.WriteNull("usage");
            }

            writer.WriteEndObject();
        });

    private byte[] UsageChunk(ChunkHeader header, GenerationRequest request, GeneratedCompletion completion) =>
        JsonPayload.Write((this, header, request.InputTokens, completion.OutputTokens), static (writer, state) =>
        {
            state.Item1.WriteChunkStart(writer, state.header);
            writer.WriteStartArray("choices");
            writer.WriteEndArray();
            WriteUsage(writer, state.InputTokens, state.OutputTokens);
            writer.WriteEndObject();
        });

    private void WriteChunkStart(Utf8JsonWriter writer, ChunkHeader header)
    {
        writer.WriteStartObject();
        writer.WriteString("id", header.Id);
        writer.WriteString("object", "chat.completion.chunk");
        writer.WriteNumber("created", header.Created);
        writer.WriteString("model", header.Model);
        if (_flavor == ChatCompletionsFlavor.OpenRouter)
        {
            writer.WriteString("provider", "Simulator");
        }

        writer.WriteString("service_tier", "default");
        writer.WriteString("system_fingerprint", "fp_simulator");
    }

    private readonly record struct ChunkHeader(string Id, long Created, string Model, bool IncludeUsage);
}
