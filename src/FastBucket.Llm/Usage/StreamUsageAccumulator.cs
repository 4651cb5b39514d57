using System.Text.Json;
using FastBucket.Quotas;

namespace FastBucket.Usage;

/// <summary>
/// Folds the usage reported across a response's events into one total. OpenAI and Gemini report cumulative usage in a
/// late event (the last one wins); Anthropic reports input in <c>message_start</c> and cumulative output in
/// <c>message_delta</c> (each part's latest value wins).
/// </summary>
internal struct StreamUsageAccumulator
{
    private long? _input;
    private long? _output;

    /// <summary>The usage seen so far, or <see langword="null"/> if none.</summary>
    public readonly TokenUsage? Usage => _input is null && _output is null ? null : new TokenUsage(_input ?? 0, _output ?? 0);

    /// <summary>
    /// Whether the usage seen is the response's final count: a usage that only comes at the end (OpenAI's and
    /// Groq's last chunk, the Responses API's <c>response.completed</c>, Anthropic's <c>message_delta</c>, a Gemini
    /// chunk with a <c>finishReason</c>), or an end marker (<c>[DONE]</c>, <c>message_stop</c>) was seen. Anthropic's
    /// <c>message_start</c> and Gemini's earlier chunks carry running counts, which are not final.
    /// </summary>
    public readonly bool IsFinal => _final;

    private bool _final;

    /// <summary>Records that the response's end was seen (an end marker, or the end of the body).</summary>
    public void MarkFinal() => _final = true;

    /// <summary>Reads one JSON event (or body); anything that is not JSON is ignored.</summary>
    public void Observe(ReadOnlySpan<byte> json)
    {
        if (json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            // A UTF-8 byte order mark, which the JSON reader refuses.
            json = json[3..];
        }

        // Most stream events carry no usage; every usage key ("usage", "usageMetadata") holds these bytes, so an event
        // without them is not parsed at all. A key spelled with JSON escapes would be missed; no provider writes one.
        if (json.IndexOf("usage"u8) < 0)
        {
            if (json.IndexOf("\"message_stop\""u8) >= 0)
            {
                // Anthropic's last event: the message_delta before it held the final count.
                _final = true;
            }

            return;
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 128 });
            using var document = JsonDocument.ParseValue(ref reader);
            Observe(document.RootElement);
        }
        catch (JsonException)
        {
            // A malformed event: skipped, the stream goes on.
        }
    }

    private void Observe(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in root.EnumerateArray())
            {
                Observe(item);
            }

            return;
        }

        if (UsageReader.TryRead(root, out long? input, out long? output))
        {
            _input = input ?? _input;
            _output = output ?? _output;
            _final |= IsFinalCount(root);
        }
    }

    private static bool IsFinalCount(JsonElement root)
    {
        if (root.TryGetProperty("usageMetadata", out _))
        {
            // Gemini repeats running counts in every chunk; the one with a finish reason is the last.
            if (root.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array)
            {
                foreach (var candidate in candidates.EnumerateArray())
                {
                    if (candidate.ValueKind == JsonValueKind.Object
                        && candidate.TryGetProperty("finishReason", out var reason)
                        && reason.ValueKind == JsonValueKind.String)
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        if (root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
        {
            if (type.ValueEquals("message_start"))
            {
                return false;
            }

            if (type.ValueEquals("message_delta"))
            {
                // Anthropic: the delta that names the stop reason carries the final output count.
                return root.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object
                    && delta.TryGetProperty("stop_reason", out var reason) && reason.ValueKind == JsonValueKind.String;
            }
        }

        return true;
    }
}
