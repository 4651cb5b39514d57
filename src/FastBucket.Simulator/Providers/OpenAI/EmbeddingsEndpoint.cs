using System.Buffers.Binary;
using System.Text.Json;
using FastBucket.Simulator.Generation;
using FastBucket.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace FastBucket.Simulator.Providers.OpenAI;

/// <summary>
/// <c>POST /v1/embeddings</c>: one unit vector per input, as float arrays or (<c>encoding_format: base64</c>, what
/// the official SDKs ask for) base64 little-endian float32; usage has <c>prompt_tokens</c> and <c>total_tokens</c>.
/// Input tokens count against TPM; there is no output.
/// </summary>
internal sealed class EmbeddingsEndpoint : IGenerationEndpoint
{
    private const int MaxInputs = 2048;

    public EmbeddingsEndpoint(ProviderDialect dialect)
    {
        Dialect = dialect;
    }

    public ProviderDialect Dialect { get; }

    public GenerationRequest? Parse(JsonElement body, HttpRequest request, out RequestRejection? rejection)
    {
        rejection = null;
        string? model = RequestJson.String(body, "model");
        if (string.IsNullOrWhiteSpace(model))
        {
            rejection = RequestRejection.Invalid("you must provide a model parameter");
            return null;
        }

        if (!TryCountInput(RequestJson.Property(body, "input"), out int inputs, out long inputTokens))
        {
            rejection = RequestRejection.Invalid("'input' must be a non-empty string, array of strings, array of tokens, or array of token arrays (at most 2048 inputs).");
            return null;
        }

        int nativeDimensions = model.Contains("3-large", StringComparison.OrdinalIgnoreCase) ? 3072 : 1536;
        if (!RequestJson.TryReadLimit(body, "dimensions", 1, out int? dimensions, out string? error))
        {
            rejection = RequestRejection.Invalid(error!);
            return null;
        }

        if (dimensions > nativeDimensions)
        {
            rejection = RequestRejection.Invalid($"This model does not support specifying dimensions above {nativeDimensions}.");
            return null;
        }

        string format = RequestJson.String(body, "encoding_format") ?? "float";
        if (format is not ("float" or "base64"))
        {
            rejection = RequestRejection.Invalid($"Invalid value for 'encoding_format': '{format}'. Supported values are: 'float' and 'base64'.");
            return null;
        }

        return new GenerationRequest
        {
            Model = model.Trim(),
            InputTokens = inputTokens,
            MaxOutputTokens = 0,
            Operation = "Embeddings_Create",
            EmbeddingInputs = inputs,
            EmbeddingDimensions = dimensions ?? nativeDimensions,
            EmbeddingBase64 = format == "base64",
        };
    }

    public string NewResponseId(Random random) => "emb-" + RandomIdentifiers.Alphanumeric(random, 24);

    public int ExpectedChunks(GenerationRequest request, GeneratedCompletion completion) => 1;

    public Task WriteAsync(ResponseChannel channel, GenerationRequest request, GeneratedCompletion completion, CancellationToken cancellationToken)
    {
        byte[] body = JsonPayload.Write((request, completion), static (writer, state) =>
        {
            var random = new Random(state.completion.ContentSeed);
            var vector = new float[state.request.EmbeddingDimensions];
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            for (int index = 0; index < state.request.EmbeddingInputs; index++)
            {
                FillUnitVector(random, vector);
                writer.WriteStartObject();
                writer.WriteString("object", "embedding");
                writer.WriteNumber("index", index);
                if (state.request.EmbeddingBase64)
                {
                    var bytes = new byte[vector.Length * sizeof(float)];
                    for (int i = 0; i < vector.Length; i++)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
                    }

                    writer.WriteBase64String("embedding", bytes);
                }
                else
                {
                    writer.WriteStartArray("embedding");
                    foreach (float value in vector)
                    {
                        writer.WriteNumberValue(value);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("model", state.request.Model);
            writer.WriteStartObject("usage");
            writer.WriteNumber("prompt_tokens", state.request.InputTokens);
            writer.WriteNumber("total_tokens", state.request.InputTokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
        return channel.WriteJsonAsync(body, cancellationToken);
    }

    private static bool TryCountInput(JsonElement? input, out int inputs, out long tokens)
    {
        inputs = 0;
        tokens = 0;
        switch (input)
        {
            case JsonElement { ValueKind: JsonValueKind.String } text when text.GetString()!.Length > 0:
                inputs = 1;
                tokens = TokenEstimator.Text(text.GetString());
                return true;
            case JsonElement { ValueKind: JsonValueKind.Array } array when array.GetArrayLength() is > 0 and <= MaxInputs:
                // An array of numbers is one pre-tokenized input; otherwise each element is one input.
                if (array.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number))
                {
                    inputs = 1;
                    tokens = array.GetArrayLength();
                    return true;
                }

                foreach (JsonElement element in array.EnumerateArray())
                {
                    switch (element.ValueKind)
                    {
                        case JsonValueKind.String when element.GetString()!.Length > 0:
                            tokens += TokenEstimator.Text(element.GetString());
                            break;
                        case JsonValueKind.Array when element.GetArrayLength() > 0 && element.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number):
                            tokens += element.GetArrayLength();
                            break;
                        default:
                            return false;
                    }

                    inputs++;
                }

                return true;
            default:
                return false;
        }
    }

    private static void FillUnitVector(Random random, float[] vector)
    {
        double sumOfSquares = 0;
        for (int i = 0; i < vector.Length; i++)
        {
            double value = (random.NextDouble() * 2) - 1;
            vector[i] = (float)value;
            sumOfSquares += value * value;
        }

        float scale = (float)(1 / Math.Sqrt(Math.Max(sumOfSquares, double.Epsilon)));
        for (int i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }
    }
}
