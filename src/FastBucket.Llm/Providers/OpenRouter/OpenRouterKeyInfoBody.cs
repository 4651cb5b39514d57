using System.Text.Json;
using FastBucket.Providers.Wire;

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

        var info = new OpenRouterKeyInfo(
            data.Property("limit").AsDouble(),
            data.Property("limit_remaining").AsDouble(),
            data.Property("limit_reset").AsString(),
            data.Property("usage").AsDouble(),
            data.Property("is_free_tier").AsBoolean());

        // The older endpoint: "rate_limit": {"requests": 10, "interval": "10s"}. Today's keeps the object as a
        // placeholder with a deprecation note (or -1 values) that must not be read as a limit.
        JsonElement rateLimit = data.Property("rate_limit");
        if (rateLimit.ValueKind != JsonValueKind.Object || rateLimit.Property("note").ValueKind != JsonValueKind.Undefined)
        {
            return info;
        }

        JsonElement requests = rateLimit.Property("requests");
        JsonElement interval = rateLimit.Property("interval");
        if (requests.ValueKind != JsonValueKind.Number || !requests.TryGetInt64(out long count) || count < 0
            || interval.AsString() is not { } intervalText || !GoDuration.TryParse(intervalText, out TimeSpan period) || period <= TimeSpan.Zero)
        {
            return info;
        }

        return info with { RateLimitRequests = count, RateLimitInterval = period };
    }
}
