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
        }
    }
}
