using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using FastBucket.Providers.Wire;
using FastBucket.Providers;

namespace FastBucket.Cli.Batch;

/// <summary>The outcome of one batch line, written as one line of the OpenAI Batch output format.</summary>
internal sealed class BatchResult
{
    private BatchResult(BatchInputLine line, int? statusCode, string? requestId, ReadOnlyMemory<byte> body, string? errorCode, string? errorMessage)
    {
        Line = line;
        StatusCode = statusCode;
        RequestId = requestId;
        Body = body;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
    }

    public BatchInputLine Line { get; }

    public int? StatusCode { get; }

    public string? RequestId { get; }

    public ReadOnlyMemory<byte> Body { get; }

    public string? ErrorCode { get; }

    public string? ErrorMessage { get; }

    /// <summary>Only a 2xx response counts as done: anything else is retried by the next run.</summary>
    public bool Succeeded => StatusCode is >= 200 and < 300;

    public static BatchResult FromResponse(BatchInputLine line, int statusCode, string? requestId, ReadOnlyMemory<byte> body)
    {
        if (statusCode is >= 200 and < 300)
        {
            return new BatchResult(line, statusCode, requestId, body, null, null);
        }

        var (code, message) = ErrorFromBody(body.Span);
        return new BatchResult(line, statusCode, requestId, body, code ?? $"http_{statusCode}", message ?? $"The provider answered {statusCode}.");
    }

    public static BatchResult Failed(BatchInputLine line, string code, string message) =>
        new(line, null, null, ReadOnlyMemory<byte>.Empty, code, message);

    /// <summary>Serializes the result as one JSON line, newline included.</summary>
    public byte[] ToJsonLine()
    {
        var buffer = new ArrayBufferWriter<byte>(256 + Body.Length);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", "batch_req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)));
            json.WriteString("custom_id", Line.CustomId);
            if (StatusCode is int status)
            {
                json.WriteStartObject("response");
                json.WriteNumber("status_code", status);
                if (RequestId is null)
                {
                    json.WriteNull("request_id");
                }
                else
                {
                    json.WriteString("request_id", RequestId);
                }

                json.WritePropertyName("body");
                WriteBody(json, Body.Span);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("response");
            }

            if (ErrorCode is null)
            {
                json.WriteNull("error");
            }
            else
            {
                json.WriteStartObject("error");
                json.WriteString("code", ErrorCode);
                json.WriteString("message", ErrorMessage);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteBody(Utf8JsonWriter json, ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            json.WriteNullValue();
            return;
        }

        // A provider's body is untrusted: embed it as JSON only when it is JSON, else as a string, never failing.
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        bool valid;
        try
        {
            valid = JsonDocument.TryParseValue(ref reader, out var document);
            document?.Dispose();
            valid &= reader.BytesConsumed == body.Length || body[(int)reader.BytesConsumed..].Trim(" \r\n\t"u8).IsEmpty;
        }
        catch (JsonException)
        {
            valid = false;
        }

        if (valid)
        {
            json.WriteRawValue(body.Trim(" \r\n\t"u8), skipInputValidation: true);
        }
        else
        {
            json.WriteStringValue(System.Text.Encoding.UTF8.GetString(body));
        }
    }

    private static (string? Code, string? Message) ErrorFromBody(ReadOnlySpan<byte> body)
    {
        using var document = JsonBody.TryParse(body);
        if (document is null)
        {
            return (null, null);
        }

        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
        {
            root = root[0]; // Gemini wraps some errors in an array
        }

        var error = root.Property("error");
        if (error.ValueKind == JsonValueKind.String)
        {
            return (null, error.GetString());
        }

        var code = error.Property("code");
        string? text = code.ValueKind == JsonValueKind.Number ? code.GetRawText() : code.AsString();
        text ??= error.Property("type").AsString() ?? error.Property("status").AsString();
        return (text, error.Property("message").AsString());
    }
}
