using System.Text.Json;
using FastBucket.Simulator.Generation;
using FastBucket.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace FastBucket.Simulator.Providers.Anthropic;

/// <summary>
/// <c>POST /v1/messages</c>: a <c>message</c> body, or the event stream <c>message_start</c> (usage.input_tokens),
/// <c>content_block_start</c>, <c>ping</c>, <c>content_block_delta</c>..., <c>content_block_stop</c>,
/// <c>message_delta</c> (usage.output_tokens), <c>message_stop</c>. <c>max_tokens</c> is required, as in the real API.
/// </summary>
internal sealed class MessagesEndpoint : IGenerationEndpoint
{
    private readonly GenerationSettings _settings;

    public MessagesEndpoint(ProviderDialect dialect, GenerationSettings settings)
    {
        Dialect = dialect;
        _settings = settings;
    }

    public ProviderDialect Dialect { get; }

    public GenerationRequest? Parse(JsonElement body, HttpRequest request, out RequestRejection? rejection)
    {
        rejection = null;
        string? model = RequestJson.String(body, "model");
        if (string.IsNullOrWhiteSpace(model))
        {
            rejection = RequestRejection.Invalid("model: Field required");
            return null;
        }

        if (RequestJson.Property(body, "max_tokens") is null)
        {
            rejection = RequestRejection.Invalid("max_tokens: Field required");
            return null;
        }

        if (!RequestJson.TryReadLimit(body, "max_tokens", 1, out int? maxTokens, out _))
        {
            rejection = RequestRejection.Invalid("max_tokens: Input should be a valid integer greater than or equal to 1");
            return null;
        }

        if (RequestJson.Property(body, "messages") is not JsonElement { ValueKind: JsonValueKind.Array } messages || messages.GetArrayLength() == 0)
        {
            rejection = RequestRejection.Invalid("messages: Field required");
            return null;
        }

        long inputTokens = TokenEstimator.ConversationOverhead;
        if (RequestJson.Property(body, "system") is JsonElement system)
        {
            inputTokens += TokenEstimator.Message(RequestJson.Text(system));
        }

        foreach (JsonElement message in messages.EnumerateArray())
        {
            string? role = RequestJson.String(message, "role");
            if (role is not ("user" or "assistant"))
            {
                rejection = RequestRejection.Invalid("messages: each message needs a role of 'user' or 'assistant'");
                return null;
            }

            inputTokens += TokenEstimator.Message(RequestJson.Property(message, "content") is JsonElement content ? RequestJson.Text(content) : null);
        }

        CachePrefix? prefix = CachePrefix.Find(model.Trim(), RequestJson.Property(body, "system"), messages);
        return new GenerationRequest
        {
            Model = model.Trim(),
            InputTokens = inputTokens,
            CachePrefixTokens = prefix is CachePrefix p ? Math.Min(p.Tokens, inputTokens) : 0,
            CachePrefixKey = prefix?.Key,
            MaxOutputTokens = maxTokens!.Value,
            Stream = RequestJson.IsTrue(body, "stream"),
            IncludeUsage = true,
        };
    }

    public string NewResponseId(Random random) => "msg_01" + RandomIdentifiers.Alphanumeric(random, 22);

    public int ExpectedChunks(GenerationRequest request, GeneratedCompletion completion) =>
        completion.ChunkCount(_settings.TokensPerChunk) + 6;

    public async Task WriteAsync(ResponseChannel channel, GenerationRequest request, GeneratedCompletion completion, CancellationToken cancellationToken)
    {
        string stopReason = completion.ReachedMaximum ? "max_tokens" : "end_turn";
        if (!request.Stream)
        {
            byte[] body = JsonPayload.Write((request, completion, stopReason), static (writer, state) =>
            {
                WriteMessageStart(writer, state.request, state.completion);
                writer.WriteStartArray("content");
                writer.WriteStartObject();
                writer.WriteString("type", "text");
                writer.WriteString("text", state.completion.Text);
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteString("stop_reason", state.stopReason);
                writer.WriteNull("stop_sequence");
                WriteUsage(writer, state.request, state.completion.OutputTokens);
                writer.WriteEndObject();
            });
            await channel.WriteJsonAsync(body, cancellationToken).ConfigureAwait(false);
            return;
        }

        await channel.StartStreamAsync("text/event-stream; charset=utf-8", cancellationToken).ConfigureAwait(false);
        await channel.WriteEventAsync("message_start", JsonPayload.Write((request, completion), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteString("type", "message_start");
            writer.WritePropertyName("message");
            WriteMessageStart(writer, state.request, state.completion);
            writer.WriteStartArray("content");
            writer.WriteEndArray();
            writer.WriteNull("stop_reason");
            writer.WriteNull("stop_sequence");
            WriteUsage(writer, state.request, Math.Min(1, state.completion.OutputTokens));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }), cancellationToken).ConfigureAwait(false);
        await channel.WriteEventAsync("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await channel.WriteEventAsync("ping", """{"type":"ping"}"""u8.ToArray(), cancellationToken).ConfigureAwait(false);
        foreach (string piece in completion.Chunks(_settings.TokensPerChunk))
        {
            await channel.WriteEventAsync("content_block_delta", JsonPayload.Write(piece, static (writer, text) =>
            {
                writer.WriteStartObject();
                writer.WriteString("type", "content_block_delta");
                writer.WriteNumber("index", 0);
                writer.WriteStartObject("delta");
                writer.WriteString("type", "text_delta");
                writer.WriteString("text", text);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }), cancellationToken).ConfigureAwait(false);
        }

        await channel.WriteEventAsync("content_block_stop", """{"type":"content_block_stop","index":0}"""u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await channel.WriteEventAsync("message_delta", JsonPayload.Write((stopReason, completion.OutputTokens), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteString("type", "message_delta");
            writer.WriteStartObject("delta");
            writer.WriteString("stop_reason", state.stopReason);
            writer.WriteNull("stop_sequence");
            writer.WriteEndObject();
            writer.WriteStartObject("usage");
            writer.WriteNumber("output_tokens", state.OutputTokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }), cancellationToken).ConfigureAwait(false);
        await channel.WriteEventAsync("message_stop", """{"type":"message_stop"}"""u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await channel.CompleteStreamAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a message object and writes its leading fields; the caller writes content, stop fields and usage, then closes it.</summary>
    private static void WriteMessageStart(Utf8JsonWriter writer, GenerationRequest request, GeneratedCompletion completion)
    {
        writer.WriteStartObject();
        writer.WriteString("id", completion.Id);
        writer.WriteString("type", "message");
        writer.WriteString("role", "assistant");
        writer.WriteString("model", request.Model);
    }

    /// <summary>Usage as Anthropic reports it: <c>input_tokens</c> excludes both cache writes and cache reads.</summary>
    private static void WriteUsage(Utf8JsonWriter writer, GenerationRequest request, int outputTokens)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("input_tokens", request.InputTokens - request.CacheReadTokens - request.CacheWriteTokens);
        writer.WriteNumber("cache_creation_input_tokens", request.CacheWriteTokens);
        writer.WriteNumber("cache_read_input_tokens", request.CacheReadTokens);
        writer.WriteNumber("output_tokens", outputTokens);
        writer.WriteString("service_tier", "standard");
        writer.WriteEndObject();
    }
}
