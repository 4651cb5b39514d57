using System.Globalization;
using System.Text.Json;

namespace FastBucket.Providers.Wire;

/// <summary>
/// Tolerant accessors over untrusted JSON: a missing property, a wrong type or an odd number reads as absent
/// instead of throwing, as <see cref="JsonElement"/>'s own getters would.
/// </summary>
internal static class JsonBody
{
    private static readonly JsonDocumentOptions s_options = new() { MaxDepth = 64, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Parses a body; <see langword="null"/> when it is not JSON.</summary>
    public static JsonDocument? TryParse(ReadOnlySpan<byte> body)
    {
        // Invalid UTF-8 inside a string parses, then throws from GetString: such a body is not JSON to us.
        if (body.IsEmpty || !System.Text.Unicode.Utf8.IsValid(body))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(body.ToArray(), s_options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The property, or a default element (<see cref="JsonValueKind.Undefined"/>) when absent or when <paramref name="element"/> is not an object.</summary>
    public static JsonElement Property(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) ? value : default;

    /// <summary>The string value, or <see langword="null"/> when the element is not a string.</summary>
    public static string? AsString(this JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? element.GetString() : null;

    /// <summary>A non-negative integer from a JSON number or a string of digits (protobuf JSON writes int64 as strings).</summary>
    public static long? AsCount(this JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number when element.TryGetInt64(out long value) && value >= 0 => value,
        JsonValueKind.String when HeaderValue.TryParseCount(element.GetString(), out long value) => value,
        _ => null,
    };

    /// <summary>A finite number, or <see langword="null"/>.</summary>
    public static double? AsDouble(this JsonElement element) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out double value) && double.IsFinite(value) ? value : null;

    /// <summary>A boolean, or <see langword="null"/>.</summary>
    public static bool? AsBoolean(this JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>Stores an error code that may be a string or a number, remembering which.</summary>
    public static void StoreErrorCode(JsonElement code, ref RateLimitSignalsBuilder signals)
    {
        switch (code.ValueKind)
        {
            case JsonValueKind.String:
                signals.ErrorCode = code.GetString();
                signals.ErrorCodeIsNumber = false;
                break;
            case JsonValueKind.Number when code.TryGetInt64(out long number):
                signals.ErrorCode = number.ToString(CultureInfo.InvariantCulture);
                signals.ErrorCodeIsNumber = true;
                break;
        }
    }
}
