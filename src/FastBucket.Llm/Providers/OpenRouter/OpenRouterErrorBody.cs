using System.Text.Json;
using FastBucket.Providers.OpenAI;
using FastBucket.Providers.Wire;

namespace FastBucket.Providers.OpenRouter;

/// <summary>
/// Reads OpenRouter's error body <c>{"error": {"message", "code", "metadata": {"headers", "raw"}}}</c>. On a 429 the
/// rate-limit headers may sit inside the body at <c>error.metadata.headers</c>; they fill only what the real
/// headers left absent. "free-models-per-day" is a per-day quota (not worth retrying before the UTC midnight
/// reset), and running out of credit (402, "Insufficient credits") is a quota as well.
/// </summary>
internal static class OpenRouterErrorBody
{
    public static void Read(JsonElement root, DateTimeOffset now, ref RateLimitSignalsBuilder signals)
    {
        JsonElement error = root.Property("error");
        JsonBody.StoreErrorCode(error.Property("code"), ref signals);
        string? message = error.Property("message").AsString();

        JsonElement metadata = error.Property("metadata");
        JsonElement headers = metadata.Property("headers");
        if (headers.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty header in headers.EnumerateObject())
            {
                if (header.Value.AsString() is { } value
                    && !OpenRouterRateLimitHeaders.TryRead(header.Name, value, now, ref signals, onlyIfAbsent: true))
                {
                    RetryAfterHeader.TryRead(header.Name, value, now, ref signals);
                }
            }
        }

        if (message is not null)
        {
            if (message.Contains("per-day", StringComparison.OrdinalIgnoreCase))
            {
                signals.RequestsWindow = RateLimitWindow.Day;
                signals.QuotaExhausted = true;
            }
            else if (message.Contains("per-min", StringComparison.OrdinalIgnoreCase))
            {
                signals.RequestsWindow = RateLimitWindow.Minute;
            }

            if (message.Contains("Insufficient credits", StringComparison.OrdinalIgnoreCase))
            {
                signals.QuotaExhausted = true;
            }
        }

        // The upstream provider's own error text, when OpenRouter passes it on, may state a wait.
        if (RetryHintText.TryFind(message, out TimeSpan hint) || RetryHintText.TryFind(metadata.Property("raw").AsString(), out hint))
        {
            signals.BodyRetryHint = hint;
        }

        // A limit in words ("limited to 8 requests per minute"), OpenRouter's or the upstream provider's.
        string? raw = metadata.Property("raw").AsString();
        OpenAIErrorBody.ReadStatedLimit(StatedLimitText.TryFind(message, out _, out _, out _) ? message : raw, ref signals);
    }
}
