using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FastBucket.Cli.Batch;

/// <summary>
/// Streams a JSONL batch file line by line, so that its size never matters: each line is either an OpenAI Batch API
/// request (<c>custom_id</c>, <c>method</c>, <c>url</c>, <c>body</c>) or a bare request body (its custom id is then its
/// line number). A line that is not valid is returned with its error, never thrown: the runner writes it as an error result.
/// </summary>
internal static class BatchInputReader
{
    /// <summary>The longest line accepted; a longer one is reported, not buffered without bound.</summary>
    public const int MaxLineChars = 8 * 1024 * 1024;

    public static async IAsyncEnumerable<BatchInputLine> ReadAsync(
        TextReader reader,
        string? model,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long lineNumber = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                yield break;
            }

            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return Parse(lineNumber, line, model);
        }
    }

    /// <summary>Parses one non-blank line.</summary>
    public static BatchInputLine Parse(long lineNumber, string line, string? model)
    {
        string fallbackId = lineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (line.Length > MaxLineChars)
        {
            return Invalid(lineNumber, fallbackId, $"line {lineNumber}: longer than {MaxLineChars} characters");
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(line, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            return Invalid(lineNumber, fallbackId, $"line {lineNumber}: not valid JSON ({ex.Message})");
        }

        if (node is not JsonObject obj)
        {
            return Invalid(lineNumber, fallbackId, $"line {lineNumber}: expected a JSON object");
        }

        if (!obj.ContainsKey("custom_id"))
        {
            // A bare request body.
            ApplyModel(obj, model);
            return new BatchInputLine(lineNumber, fallbackId, "POST", null, obj.ToJsonString(), null) { Model = ModelOf(obj) };
        }

        if (obj["custom_id"] is not JsonValue idValue || !idValue.TryGetValue(out string? customId) || string.IsNullOrEmpty(customId))
        {
            return Invalid(lineNumber, fallbackId, $"line {lineNumber}: custom_id must be a non-empty string");
        }

        string method = "POST";
        if (obj["method"] is JsonNode methodNode)
        {
            if (methodNode is not JsonValue m || !m.TryGetValue(out string? methodText) || methodText.Length == 0)
            {
                return Invalid(lineNumber, customId, $"line {lineNumber}: method must be a string");
            }

            method = methodText.ToUpperInvariant();
            if (method is not ("POST" or "GET"))
            {
                return Invalid(lineNumber, customId, $"line {lineNumber}: method must be POST or GET, not '{methodText}'");
            }
        }

        string? url = null;
        if (obj["url"] is JsonNode urlNode)
        {
            if (urlNode is not JsonValue u || !u.TryGetValue(out url) || !url.StartsWith('/'))
            {
                return Invalid(lineNumber, customId, $"line {lineNumber}: url must be a path starting with '/'");
            }
        }

        if (obj["body"] is not JsonObject body)
        {
            return Invalid(lineNumber, customId, $"line {lineNumber}: body must be a JSON object");
        }

        ApplyModel(body, model);
        return new BatchInputLine(lineNumber, customId, method, url, body.ToJsonString(), null) { Model = ModelOf(body) };
    }

    private static string? ModelOf(JsonObject body) =>
        body["model"] is JsonValue value && value.TryGetValue(out string? model) && model.Length > 0 ? model : null;

    private static void ApplyModel(JsonObject body, string? model)
    {
        if (model is not null && !body.ContainsKey("model"))
        {
            body["model"] = model;
        }
    }

    private static BatchInputLine Invalid(long lineNumber, string customId, string error) =>
        new(lineNumber, customId, "POST", null, null, error);

    /// <summary>Opens a file for streaming with a large buffer, or standard input for <c>-</c>.</summary>
    public static TextReader Open(string path) =>
        path == "-"
            ? Console.In
            : new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous), Encoding.UTF8);
}
