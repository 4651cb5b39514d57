using System.Text.Json;
using FastBucket.Simulator.Generation;
using FastBucket.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace FastBucket.Simulator.Providers.OpenAI;

/// <summary>
/// <c>POST /v1/responses</c>: a <c>response</c> object, or its event stream (<c>response.created</c> ...
/// <c>response.output_text.delta</c> ... <c>response.completed</c> carrying usage). As the real API does, a
/// response cut off by <c>max_output_tokens</c> is <c>incomplete</c> and its stream ends with
/// <c>response.incomplete</c>, which carries usage too.
/// </summary>
internal sealed class ResponsesEndpoint : IGenerationEndpoint
{
    // The Responses API refuses smaller maxima.
    private const int MinimumMaxOutputTokens = 16;

    private readonly GenerationSettings _settings;

    public ResponsesEndpoint(ProviderDialect dialect, GenerationSettings settings)
    {
        Dialect = dialect;
        _settings = settings;
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

        string? model = RequestJson.String(body, "model");
        if (string.IsNullOrWhiteSpace(model))
        {
            rejection = RequestRejection.Invalid("Missing required parameter: 'model'.");
            return null;
        }

        long inputTokens = TokenEstimator.ConversationOverhead;
        if (RequestJson.String(body, "instructions") is string instructions)
        {
            inputTokens += TokenEstimator.Message(instructions);
        }

        switch (RequestJson.Property(body, "input"))
        {
            case JsonElement { ValueKind: JsonValueKind.String } text:
                inputTokens += TokenEstimator.Message(text.GetString());
                break;
            case JsonElement { ValueKind: JsonValueKind.Array } items:
                foreach (JsonElement item in items.EnumerateArray())
                {
                    inputTokens += TokenEstimator.Message(RequestJson.Property(item, "content") is JsonElement content ? RequestJson.Text(content) : RequestJson.Text(item));
                }

                break;
            case null:
                break;
            default:
                rejection = RequestRejection.Invalid("Invalid 'input': expected a string or an array of input items.");
                return null;
        }

        if (!RequestJson.TryReadLimit(body, "max_output_tokens", MinimumMaxOutputTokens, out int? maxOutput, out string? error))
        {
            rejection = RequestRejection.Invalid(error!);
            return null;
        }

        return new GenerationRequest
        {
            Model = model.Trim(),
            InputTokens = inputTokens,
            MaxOutputTokens = maxOutput ?? _settings.DefaultMaxOutputTokens,
            Stream = RequestJson.IsTrue(body, "stream"),
            IncludeUsage = true,
        };
    }

    public string NewResponseId(Random random) => "resp_" + RandomIdentifiers.Hex(random, 48);

    public int ExpectedChunks(GenerationRequest request, GeneratedCompletion completion) =>
        completion.ChunkCount(_settings.TokensPerChunk) + 8;

    public async Task WriteAsync(ResponseChannel channel, GenerationRequest request, GeneratedCompletion completion, CancellationToken cancellationToken)
    {
        var response = new ResponseState(request, completion, "msg_" + completion.Id["resp_".Length..]);
        if (!request.Stream)
        {
            await channel.WriteJsonAsync(JsonPayload.Write(response, static (writer, state) => WriteResponse(writer, state, finished: true)), cancellationToken).ConfigureAwait(false);
            return;
        }

        await channel.StartStreamAsync("text/event-stream; charset=utf-8", cancellationToken).ConfigureAwait(false);
        int sequence = 0;
        await WriteEventAsync("response.created", (writer, s) => writer.WritePropertyName("response"), finished: false).ConfigureAwait(false);
        await WriteEventAsync("response.in_progress", (writer, s) => writer.WritePropertyName("response"), finished: false).ConfigureAwait(false);
        await WriteEventAsync("response.output_item.added", (writer, s) =>
        {
            writer.WriteNumber("output_index", 0);
            writer.WritePropertyName("item");
            WriteMessageItem(writer, s, completed: false);
        }).ConfigureAwait(false);
        await WriteEventAsync("response.content_part.added", (writer, s) =>
        {
            WritePartLocation(writer, s);
            writer.WritePropertyName("part");
            WriteOutputText(writer, string.Empty);
        }).ConfigureAwait(false);
        foreach (string piece in completion.Chunks(_settings.TokensPerChunk))
        {
            await WriteEventAsync("response.output_text.delta", (writer, s) =>
            {
                WritePartLocation(writer, s);
                writer.WriteString("delta", piece);
                writer.WriteStartArray("logprobs");
                writer.WriteEndArray();
            }).ConfigureAwait(false);
        }

        await WriteEventAsync("response.output_text.done", (writer, s) =>
        {
            WritePartLocation(writer, s);
            writer.WriteString("text", s.Completion.Text);
            writer.WriteStartArray("logprobs");
            writer.WriteEndArray();
        }).ConfigureAwait(false);
        await WriteEventAsync("response.content_part.done", (writer, s) =>
        {
            WritePartLocation(writer, s);
            writer.WritePropertyName("part");
            WriteOutputText(writer, s.Completion.Text);
        }).ConfigureAwait(false);
        await WriteEventAsync("response.output_item.done", (writer, s) =>
        {
            writer.WriteNumber("output_index", 0);
            writer.WritePropertyName("item");
            WriteMessageItem(writer, s, completed: true);
        }).ConfigureAwait(false);
        await WriteEventAsync(completion.ReachedMaximum ? "response.incomplete" : "response.completed", (writer, s) => writer.WritePropertyName("response"), finished: true).ConfigureAwait(false);
        await channel.CompleteStreamAsync(cancellationToken).ConfigureAwait(false);

        // Events whose last property is "response" get the response object written after the body callback.
        Task WriteEventAsync(string type, Action<Utf8JsonWriter, ResponseState> body, bool? finished = null)
        {
            byte[] json = JsonPayload.Write((type, sequence++, response, body, finished), static (writer, state) =>
            {
                writer.WriteStartObject();
                writer.WriteString("type", state.type);
                writer.WriteNumber("sequence_number", state.Item2);
                state.body(writer, state.response);
                if (state.finished is bool done)
                {
                    WriteResponse(writer, state.response, done);
                }

                writer.WriteEndObject();
            });
            return channel.WriteEventAsync(type, json, cancellationToken);
        }
    }

    private static void WritePartLocation(Utf8JsonWriter writer, ResponseState state)
    {
        writer.WriteString("item_id", state.MessageId);
        writer.WriteNumber("output_index", 0);
        writer.WriteNumber("content_index", 0);
    }

    private static void WriteOutputText(Utf8JsonWriter writer, string text)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "output_text");
        writer.WriteStartArray("annotations");
        writer.WriteEndArray();
        writer.WriteStartArray("logprobs");
        writer.WriteEndArray();
        writer.WriteString("text", text);
        writer.WriteEndObject();
    }

    private static void WriteMessageItem(Utf8JsonWriter writer, ResponseState state, bool completed)
    {
        writer.WriteStartObject();
        writer.WriteString("id", state.MessageId);
        writer.WriteString("type", "message");
        writer.WriteString("status", completed ? (state.Completion.ReachedMaximum ? "incomplete" : "completed") : "in_progress");
        writer.WriteStartArray("content");
        if (completed)
        {
            WriteOutputText(writer, state.Completion.Text);
        }

        writer.WriteEndArray();
        writer.WriteString("role", "assistant");
        writer.WriteEndObject();
    }

    private static void WriteResponse(Utf8JsonWriter writer, ResponseState state, bool finished)
    {
        GeneratedCompletion completion = state.Completion;
        writer.WriteStartObject();
        writer.WriteString("id", completion.Id);
        writer.WriteString("object", "response");
        writer.WriteNumber("created_at", completion.Created.ToUnixTimeSeconds());
        writer.WriteString("status", !finished ? "in_progress" : completion.ReachedMaximum ? "incomplete" : "completed");
        writer.WriteNull("error");
        if (finished && completion.ReachedMaximum)
        {
            writer.WriteStartObject("incomplete_details");
            writer.WriteString("reason", "max_output_tokens");
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("incomplete_details");
        }

        writer.WriteNull("instructions");
        writer.WriteNumber("max_output_tokens", state.Request.MaxOutputTokens);
        writer.WriteString("model", state.Request.Model);
        writer.WriteStartArray("output");
        if (finished)
        {
            WriteMessageItem(writer, state, completed: true);
        }

        writer.WriteEndArray();
        writer.WriteBoolean("parallel_tool_calls", true);
        writer.WriteNull("previous_response_id");
        writer.WriteStartObject("reasoning");
        writer.WriteNull("effort");
        writer.WriteNull("summary");
        writer.WriteEndObject();
        writer.WriteBoolean("store", true);
        writer.WriteNumber("temperature", 1.0);
        writer.WriteStartObject("text");
        writer.WriteStartObject("format");
        writer.WriteString("type", "text");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteString("tool_choice", "auto");
        writer.WriteStartArray("tools");
        writer.WriteEndArray();
        writer.WriteNumber("top_p", 1.0);
        writer.WriteString("truncation", "disabled");
        if (finished)
        {
            writer.WriteStartObject("usage");
            writer.WriteNumber("input_tokens", state.Request.InputTokens);
            writer.WriteStartObject("input_tokens_details");
            writer.WriteNumber("cached_tokens", 0);
            writer.WriteEndObject();
            writer.WriteNumber("output_tokens", completion.OutputTokens);
            writer.WriteStartObject("output_tokens_details");
            writer.WriteNumber("reasoning_tokens", 0);
            writer.WriteEndObject();
            writer.WriteNumber("total_tokens", state.Request.InputTokens + completion.OutputTokens);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("usage");
        }

        writer.WriteNull("user");
        writer.WriteStartObject("metadata");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private sealed record ResponseState(GenerationRequest Request, GeneratedCompletion Completion, string MessageId);
}
