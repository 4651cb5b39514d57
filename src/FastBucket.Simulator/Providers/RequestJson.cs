using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FastBucket.Simulator.Providers;

/// <summary>Tolerant reads of request JSON: wrong kinds read as absent, so that no input throws.</summary>
internal static class RequestJson
{
    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static bool IsTrue(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.True;

    public static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    /// <summary>
    /// Reads an optional integer of at least <paramref name="minimum"/>. Absent or null gives <see langword="null"/>;
    /// anything else that is not such an integer gives an error in OpenAI's words.
    /// </summary>
    public static bool TryReadLimit(JsonElement element, string name, int minimum, out int? value, out string? error)
    {
        value = null;
        error = null;
        if (Property(element, name) is not JsonElement property)
        {
            return true;
        }

        if (property.ValueKind != JsonValueKind.Number || !property.TryGetInt64(out long number))
        {
            error = $"Invalid type for '{name}': expected an integer, but got {Describe(property)} instead.";
            return false;
        }

        if (number < minimum)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"Invalid '{name}': integer below minimum value. Expected a value >= {minimum}, but got {number} instead.");
            return false;
        }

        value = (int)Math.Min(number, int.MaxValue);
        return true;
    }

    /// <summary>The text of a content value: a string, or the <c>text</c> of each part of an array (or of a single part object).</summary>
    public static string Text(JsonElement content)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString() ?? string.Empty;
            case JsonValueKind.Object:
                return String(content, "text") ?? string.Empty;
            case JsonValueKind.Array:
                var text = new StringBuilder();
                foreach (JsonElement part in content.EnumerateArray())
                {
                    text.Append(Text(part));
                }

                return text.ToString();
            default:
                return string.Empty;
        }
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a decimal",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "an unknown value",
    };
}
