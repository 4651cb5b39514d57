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
        // Lines are cut here rather than by ReadLineAsync, which would buffer a line of any length whole: past
        // MaxLineChars the rest of the line is skipped and the line reported, so memory stays bounded.
        long lineNumber = 0;
        char[] buffer = new char[16 * 1024];
        var line = new StringBuilder();
        bool tooLong = false;
        int start = 0;
        int end = 0;
        while (true)
        {
            if (start == end)
            {
                cancellationToken.ThrowIfCancellationRequested();
                end = await reader.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                start = 0;
                if (end == 0)
                {
                    if (line.Length > 0 || tooLong)
                    {
                        lineNumber++;
                        if (Complete(lineNumber, line, tooLong, model) is { } last)
                        {
                            yield return last;
                        }
                    }

                    yield break;
                }
            }

            int newline = Array.IndexOf(buffer, '\n', start, end - start);
            int stop = newline < 0 ? end : newline;
            if (!tooLong)
            {
                if (line.Length + (stop - start) > MaxLineChars + 1)
                {
                    tooLong = true;
                    line.Clear();
                }
                else
                {
                    line.Append(buffer, start, stop - start);
                }
            }

            if (newline < 0)
            {
                start = end;
                continue;
            }

            start = newline + 1;
            lineNumber++;
            if (Complete(lineNumber, line, tooLong, model) is { } parsed)
            {
                yield return parsed;
            }

            line.Clear();
            tooLong = false;
        }
    }

    /// <summary>The line just read, or <see langword="null"/> for a blank one.</summary>
    private static BatchInputLine? Complete(long lineNumber, StringBuilder line, bool tooLong, string? model)
    {
        if (tooLong)
        {
            return Parse(lineNumber, string.Empty, model, tooLong: true);
        }

        if (line.Length > 0 && line[^1] == '\r')
        {
            line.Length--;
        }

        string text = line.ToString();
        return string.IsNullOrWhiteSpace(text) ? null : Parse(lineNumber, text, model);
    }

    /// <summary>Parses one non-blank line.</summary>
    public static BatchInputLine Parse(long lineNumber, string line, string? model) => Parse(lineNumber, line, model, tooLong: false);

    private static BatchInputLine Parse(long lineNumber, string line, string? model, bool tooLong)
    {
        string fallbackId = lineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (tooLong || line.Length > MaxLineChars)
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
