using System.Text.Json;
using FastBucket.Providers.Wire;

namespace FastBucket.Providers.OpenAI;

/// <summary>
/// Reads OpenAI's error envelope <c>{"error": {"message", "type", "param", "code"}}</c>, shared by Azure OpenAI,
/// Groq and OpenAI-compatible servers: the code and type, the undocumented "Please try again in 1.146s" hint, the
/// limit stated in the text ("(TPM): Limit 50000") and the non-retryable quota codes.
/// </summary>
internal static class OpenAIErrorBody
{
    public static void Read(JsonElement root, ref RateLimitSignalsBuilder signals)
    {
        JsonElement error = root.Property("error");
        string? message;
        if (error.ValueKind == JsonValueKind.String)
        {
            // Some compatible servers send {"error": "text"}.
            message = error.GetString();
        }
        else
        {
            JsonBody.StoreErrorCode(error.Property("code"), ref signals);
            signals.ErrorType = error.Property("type").AsString();
            message = error.Property("message").AsString() ?? root.Property("message").AsString();
        }

        if (IsQuotaCode(signals.ErrorCode) || IsQuotaCode(signals.ErrorType))
        {
            signals.QuotaExhausted = true;
        }

        ReadMessage(message, signals.ErrorType, ref signals);
    }

    /// <summary>Reads what OpenAI-style rate-limit messages state: the wait, the limit and the window.</summary>
    internal static void ReadMessage(string? message, string? errorType, ref RateLimitSignalsBuilder signals)
    {
        if (message is null)
        {
            return;
        }

        if (RetryHintText.TryFind(message, out TimeSpan hint))
        {
            signals.BodyRetryHint = hint;
            if (hint >= DailyCapWait)
            {
                // "Please try again in 14h29m11.04s": no per-minute window frees in hours; a daily cap was hit.
                signals.QuotaExhausted = true;
            }
        }

        // "Rate limit reached for gpt-4o-mini ... on tokens per min (TPM): Limit 50000, Used 47949, Requested 3006."
        bool aboutTokens = errorType == "tokens" || message.Contains("on tokens per", StringComparison.OrdinalIgnoreCase);
        bool aboutRequests = errorType == "requests" || message.Contains("on requests per", StringComparison.OrdinalIgnoreCase);
        if (aboutTokens && TryReadStatedLimit(message, out long limit))
        {
            signals.TokensLimitFromBody = limit;
        }

        ReadStatedLimit(message, ref signals);

        if (aboutRequests)
        {
            if (message.Contains("per day", StringComparison.OrdinalIgnoreCase) || message.Contains("(RPD)", StringComparison.Ordinal))
            {
                signals.RequestsWindow = RateLimitWindow.Day;
            }
            else if (message.Contains("per min", StringComparison.OrdinalIgnoreCase) || message.Contains("(RPM)", StringComparison.Ordinal))
            {
                signals.RequestsWindow ??= RateLimitWindow.Minute;
            }
        }
    }

    /// <summary>
    /// Stores a limit stated in words ("on requests per minute (RPM): Limit 30", "limited to 8 requests per minute")
    /// and its window; a per-day limit that was hit is a daily cap.
    /// </summary>
    internal static void ReadStatedLimit(string? message, ref RateLimitSignalsBuilder signals)
    {
        if (!StatedLimitText.TryFind(message, out StatedLimitText.Subject subject, out long? limit, out RateLimitWindow? window))
        {
            return;
        }

        signals.BodyLimitWindow = window;
        if (subject == StatedLimitText.Subject.Requests)
        {
            signals.RequestsLimitFromBody = limit;
        }
        else
        {
            signals.TokensLimitFromBody ??= limit;
        }

        if (window == RateLimitWindow.Day && signals.StatusCode == 429)
        {
            signals.QuotaExhausted = true;
        }
    }

    private static bool TryReadStatedLimit(string message, out long limit)
    {
        limit = 0;
        int at = message.IndexOf("Limit ", StringComparison.Ordinal);
        if (at < 0)
        {
            return false;
        }

        ReadOnlySpan<char> digits = message.AsSpan(at + "Limit ".Length);
        int end = digits.IndexOfAnyExceptInRange('0', '9');
        return HeaderValue.TryParseCount(end < 0 ? digits : digits[..end], out limit);
    }

    /// <summary>A stated wait this long is a daily cap's reset, not a window about to free.</summary>
    internal static readonly TimeSpan DailyCapWait = TimeSpan.FromHours(1);

    // Billing and hard quota codes: the same 429 status as a rate limit, but waiting does not help.
    private static bool IsQuotaCode(string? code) => code is "insufficient_quota" or "billing_hard_limit_reached" or "billing_not_active";
}
