using System.Text.Json;

namespace FastBucket.Providers.OpenRouter;

/// <summary>Reads the body of OpenRouter's key endpoint: <c>{"data": {"limit", "limit_remaining", "limit_reset", "usage", "is_free_tier", ...}}</c>.</summary>
internal static class OpenRouterKeyInfoBody
{
    /// <summary>The key information, or <see langword="null"/> when the body is not the key endpoint's.</summary>
    public static OpenRouterKeyInfo? TryRead(JsonElement root)
    {
        JsonElement data = root.Property("data");
        if (data.ValueKind != JsonValueKind.Object
            || (data.Property("limit_remaining").ValueKind == JsonValueKind.Undefined && data.Property("is_free_tier").ValueKind == JsonValueKind.Undefined))
        {
            return null;
        }

        return new OpenRouterKeyInfo(
            data.Property("limit").AsDouble(),
            data.Property("limit_remaining").AsDouble(),
            data.Property("limit_reset").AsString(),
            data.Property("usage").AsDouble(),
            data.Property("is_free_tier").AsBoolean());
    }
}
