using System.Text.Json;
using FastBucket.Providers.Wire;

namespace FastBucket.Providers.Anthropic;

/// <summary>
/// Reads Anthropic's error envelope <c>{"type": "error", "error": {"type", "message", "details": {"error_code"}}}</c>.
/// <c>overloaded_error</c> is a capacity signal; the monthly spend cap (<c>details.error_code</c>
/// <c>enforced_spend_limit_reached</c>, sent as a 429 <c>rate_limit_error</c>), the workspace limits the
/// organisation set itself ("You have reached your specified API usage limits", a 400), a low credit balance and
/// <c>billing_error</c> are quotas that waiting does not bring back.
/// </summary>
internal static class AnthropicErrorBody
{
    public const string SpendLimitErrorCode = "enforced_spend_limit_reached";

    public static void Read(JsonElement root, ref RateLimitSignalsBuilder signals)
    {
        JsonElement error = root.Property("error");
        signals.ErrorType = error.Property("type").AsString();
        signals.ErrorCode = error.Property("details").Property("error_code").AsString();
        string? message = error.Property("message").AsString();

        switch (signals.ErrorType)
        {
            case "overloaded_error":
                signals.Overloaded = true;
                break;
            case "billing_error":
                signals.QuotaExhausted = true;
                break;
        }

        if (signals.ErrorCode == SpendLimitErrorCode
            || (message is not null
                && (message.Contains("reached your specified", StringComparison.OrdinalIgnoreCase)
                    || message.Contains("monthly spend limit", StringComparison.OrdinalIgnoreCase)
                    || message.Contains("credit balance is too low", StringComparison.OrdinalIgnoreCase))))
        {
            signals.QuotaExhausted = true;
        }

        if (RetryHintText.TryFind(message, out TimeSpan hint))
        {
            signals.BodyRetryHint = hint;
        }
    }
}
