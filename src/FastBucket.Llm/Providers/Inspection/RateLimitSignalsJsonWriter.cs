using System.Text.Json;

namespace FastBucket.Providers.Inspection;

/// <summary>
/// Writes <see cref="RateLimitSignals"/> as one JSON object with the keys of the reference vectors
/// (<c>provider-vectors.json</c>): snake_case names, <see langword="null"/> for everything not reported,
/// durations as seconds.
/// </summary>
/// <remarks>
/// <para>
/// The key set depends on what was read. OpenRouter key-endpoint information is written as
/// <c>kind: "key_info"</c> with the credit keys only. Everything else gets the thirteen
/// <c>requests_*</c>/<c>tokens_*</c>/<c>input_tokens_*</c>/<c>output_tokens_*</c>/<c>retry_after_seconds</c> keys,
/// the error keys (<c>body_retry_hint_seconds</c>, <c>error_code</c>, <c>error_type</c>, <c>retryable</c>,
/// <c>x_should_retry</c>) and the keys of its provider's own signals: <c>project_tokens_*</c> (OpenAI),
/// <c>priority_*</c> (Anthropic), <c>quota_ids</c>/<c>quota_limit</c> (Gemini), <c>tokens_limit_from_body</c>
/// (OpenAI-style error texts), and <c>requests_window</c>; <c>requests_limit_from_body</c> and
/// <c>body_limit_window</c> only when an error text stated them.
/// </para>
/// <para><c>error_code</c> is written as the body sent it: a number for OpenRouter's <c>402</c>, a string otherwise.</para>
/// </remarks>
internal static class RateLimitSignalsJsonWriter
{
    /// <summary>Writes <paramref name="signals"/> as one JSON object.</summary>
    /// <param name="writer">Where to write; left open and not flushed.</param>
    /// <param name="signals">What to write.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is <see langword="null"/>.</exception>
    public static void Write(Utf8JsonWriter writer, in RateLimitSignals signals)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        if (signals.KeyInfo is { } keyInfo)
        {
            writer.WriteString("kind", "key_info");
            WriteNumber(writer, "credit_limit_usd", keyInfo.CreditLimitUsd);
            WriteNumber(writer, "credit_remaining_usd", keyInfo.CreditRemainingUsd);
            WriteString(writer, "credit_limit_reset", keyInfo.CreditLimitReset);
            WriteNumber(writer, "usage_usd", keyInfo.UsageUsd);
            WriteBoolean(writer, "is_free_tier", keyInfo.IsFreeTier);

            WriteNumber(writer, "rate_limit_requests", keyInfo.RateLimitRequests);
            WriteSeconds(writer, "rate_limit_interval_seconds", keyInfo.RateLimitInterval);
            writer.WriteEndObject();
            return;
        }

        WriteDimension(writer, "requests", signals.Requests);
        WriteDimension(writer, "tokens", signals.Tokens);
        WriteDimension(writer, "input_tokens", signals.InputTokens);
        WriteDimension(writer, "output_tokens", signals.OutputTokens);
        WriteSeconds(writer, "retry_after_seconds", signals.RetryAfter);
        WriteSeconds(writer, "body_retry_hint_seconds", signals.BodyRetryHint);
        if (signals.ErrorCode is not null && signals.ErrorCodeIsNumber && long.TryParse(signals.ErrorCode, out long numericCode))
        {
            writer.WriteNumber("error_code", numericCode);
        }
        else
        {
            WriteString(writer, "error_code", signals.ErrorCode);
        }

        WriteString(writer, "error_type", signals.ErrorType);
        WriteBoolean(writer, "retryable", signals.Retryable);
        WriteBoolean(writer, "x_should_retry", signals.ShouldRetryHeader);

        LlmProvider provider = signals.Provider;
        if (provider == LlmProvider.OpenAI)
        {
            WriteDimension(writer, "project_tokens", signals.ProjectTokens);
        }

        if (provider == LlmProvider.Anthropic)
        {
            WriteDimension(writer, "priority_input_tokens", signals.PriorityInputTokens);
            WriteDimension(writer, "priority_output_tokens", signals.PriorityOutputTokens);
        }

        if (provider == LlmProvider.Gemini)
        {
            WriteQuotaIds(writer, signals.QuotaViolations);
            WriteNumber(writer, "quota_limit", signals.QuotaLimit);
        }

        if (provider is LlmProvider.OpenAI or LlmProvider.AzureOpenAI or LlmProvider.Groq or LlmProvider.Generic)
        {
            WriteNumber(writer, "tokens_limit_from_body", signals.TokensLimitFromBody);
        }

        if (signals.RequestsWindow is { } window)
        {
            writer.WriteString("requests_window", WindowName(window));
        }
        else
        {
            writer.WriteNull("requests_window");
        }

        // Beyond the vectors' vocabulary, so written only when the error text stated them.
        if (signals.RequestsLimitFromBody is { } requestsLimit)
        {
            writer.WriteNumber("requests_limit_from_body", requestsLimit);
        }

        if (signals.BodyLimitWindow is { } bodyWindow)
        {
            writer.WriteString("body_limit_window", WindowName(bodyWindow));
        }

        writer.WriteEndObject();
    }

    /// <summary>The text the vectors use for a window: <c>minute</c>, <c>hour</c> or <c>day</c>.</summary>
    internal static string WindowName(RateLimitWindow window) => window switch
    {
        RateLimitWindow.Minute => "minute",
        RateLimitWindow.Hour => "hour",
        _ => "day",
    };

    private static void WriteDimension(Utf8JsonWriter writer, string name, RateLimitDimension dimension)
    {
        WriteNumber(writer, name + "_limit", dimension.Limit);
        WriteNumber(writer, name + "_remaining", dimension.Remaining);
        WriteSeconds(writer, name + "_reset_seconds", dimension.Reset);
    }

    private static void WriteQuotaIds(Utf8JsonWriter writer, IReadOnlyList<QuotaViolation>? violations)
    {
        if (violations is null)
        {
            writer.WriteNull("quota_ids");
            return;
        }

        writer.WriteStartArray("quota_ids");
        foreach (QuotaViolation violation in violations)
        {
            writer.WriteStringValue(violation.QuotaId);
        }

        writer.WriteEndArray();
    }

    private static void WriteSeconds(Utf8JsonWriter writer, string name, TimeSpan? value)
    {
        if (value is { } duration)
        {
            writer.WriteNumber(name, duration.TotalSeconds);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteBoolean(Utf8JsonWriter writer, string name, bool? value)
    {
        if (value is { } flag)
        {
            writer.WriteBoolean(name, flag);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
