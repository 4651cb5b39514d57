using System.Text.Json;

namespace FastBucket.Estimation;

/// <summary>Small readers over request JSON that never throw on an unexpected shape.</summary>
internal static class JsonShape
{
    /// <summary>The property <paramref name="name"/> of an object, or <c>default</c> (Undefined) when absent or not an object.</summary>
    public static JsonElement Get(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement value) ? value : default;

    /// <summary>The first of two spellings of a property (Gemini accepts both camelCase and snake_case).</summary>
    public static JsonElement Get(JsonElement obj, string name, string alternateName)
    {
        JsonElement value = Get(obj, name);
        return value.ValueKind == JsonValueKind.Undefined ? Get(obj, alternateName) : value;
    }

    /// <summary>The string value of a property, or <see langword="null"/> when it is absent or not a string.</summary>
    public static string? GetString(JsonElement obj, string name)
    {
        JsonElement value = Get(obj, name);
        return value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>Whether a property's value is the string <paramref name="expected"/>.</summary>
    public static bool StringEquals(JsonElement obj, string name, string expected)
    {
        JsonElement value = Get(obj, name);
        return value.ValueKind == JsonValueKind.String && value.ValueEquals(expected);
    }

    /// <summary>
    /// The items of an array; a single non-array value counts as one item, so that a lone object where a list is
    /// expected is still counted.
    /// </summary>
    public static IEnumerable<JsonElement> Items(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in value.EnumerateArray())
            {
                yield return item;
            }
        }
        else if (value.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            yield return value;
        }
    }
}
