using System.Text.Json;

namespace FastBucket.Llm.Tests.Providers;

/// <summary>Compares reported values with a vector's <c>expected</c> object, numbers within 1e-3.</summary>
internal static class ExpectedSignals
{
    public const double Tolerance = 1e-3;

    /// <summary>
    /// Every key the README lists for <c>expected</c>, spelled out: the writer must never invent others.
    /// </summary>
    public static readonly IReadOnlySet<string> Vocabulary = new HashSet<string>(StringComparer.Ordinal)
    {
        "requests_limit", "requests_remaining", "requests_reset_seconds",
        "tokens_limit", "tokens_remaining", "tokens_reset_seconds",
        "input_tokens_limit", "input_tokens_remaining", "input_tokens_reset_seconds",
        "output_tokens_limit", "output_tokens_remaining", "output_tokens_reset_seconds",
        "retry_after_seconds", "body_retry_hint_seconds", "error_code", "retryable", "quota_ids", "requests_window",
        "project_tokens_limit", "project_tokens_remaining", "project_tokens_reset_seconds",
        "priority_input_tokens_limit", "priority_input_tokens_remaining", "priority_input_tokens_reset_seconds",
        "priority_output_tokens_limit", "priority_output_tokens_remaining", "priority_output_tokens_reset_seconds",
        "error_type", "x_should_retry", "quota_limit", "tokens_limit_from_body",
        "kind", "credit_limit_usd", "credit_remaining_usd", "credit_limit_reset", "usage_usd", "is_free_tier",
        "rate_limit_requests", "rate_limit_interval_seconds",

        // Ours, beyond the README: a limit and its window stated in an error's words (written only when stated).
        "requests_limit_from_body", "body_limit_window",
    };

    /// <summary>Asserts that <paramref name="actual"/> equals <paramref name="expected"/>; returns a message or null.</summary>
    public static string? Mismatch(string key, JsonElement expected, JsonElement actual)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Null:
                return actual.ValueKind == JsonValueKind.Null ? null : $"{key}: expected null, got {actual.GetRawText()}";
            case JsonValueKind.Number:
                return actual.ValueKind == JsonValueKind.Number && Math.Abs(actual.GetDouble() - expected.GetDouble()) <= Tolerance
                    ? null
                    : $"{key}: expected {expected.GetRawText()}, got {actual.GetRawText()}";
            case JsonValueKind.Array:
                if (actual.ValueKind != JsonValueKind.Array || actual.GetArrayLength() != expected.GetArrayLength())
                {
                    return $"{key}: expected {expected.GetRawText()}, got {actual.GetRawText()}";
                }

                for (int i = 0; i < expected.GetArrayLength(); i++)
                {
                    if (Mismatch($"{key}[{i}]", expected[i], actual[i]) is { } message)
                    {
                        return message;
                    }
                }

                return null;
            default:
                return JsonElement.DeepEquals(expected, actual) ? null : $"{key}: expected {expected.GetRawText()}, got {actual.GetRawText()}";
        }
    }

    /// <summary>Asserts every key of <paramref name="expected"/> against <paramref name="actual"/>, reporting all mismatches at once.</summary>
    public static void AssertMatches(JsonElement expected, Func<string, JsonElement?> actual)
    {
        var problems = new List<string>();
        foreach (JsonProperty property in expected.EnumerateObject())
        {
            JsonElement? value = actual(property.Name);
            if (value is null)
            {
                problems.Add($"{property.Name}: not reported at all");
            }
            else if (Mismatch(property.Name, property.Value, value.Value) is { } message)
            {
                problems.Add(message);
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
