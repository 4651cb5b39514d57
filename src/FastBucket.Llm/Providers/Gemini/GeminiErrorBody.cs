using System.Text.Json;
using FastBucket.Providers.Wire;

namespace FastBucket.Providers.Gemini;

/// <summary>
/// Reads Gemini's <c>google.rpc.Status</c> error body. Gemini sends no rate-limit headers: the wait is in
/// <c>google.rpc.RetryInfo.retryDelay</c>, the exceeded quotas in <c>google.rpc.QuotaFailure</c> (whose
/// <c>quotaId</c> names the window), and the message repeats the wait and each quota's "limit: N".
/// A per-day quota or a limit of zero (the model is not available on this tier) is not worth retrying.
/// Streaming endpoints wrap the body in a one-element array; that form is read too.
/// </summary>
internal static class GeminiErrorBody
{
    public static void Read(JsonElement root, ref RateLimitSignalsBuilder signals)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            root = root.GetArrayLength() > 0 ? root[0] : default;
        }

        JsonElement error = root.Property("error");
        string? status = error.Property("status").AsString();
        if (status is not null)
        {
            signals.ErrorCode = status;
            signals.ErrorCodeIsNumber = false;
        }
        else
        {
            JsonBody.StoreErrorCode(error.Property("code"), ref signals);
        }

        if (status == "UNAVAILABLE")
        {
            signals.Overloaded = true;
        }

        string? message = error.Property("message").AsString();
        if (RetryHintText.TryFind(message, out TimeSpan hint))
        {
            signals.BodyRetryHint = hint;
        }

        long? smallestStatedLimit = SmallestStatedLimit(message);
        JsonElement details = error.Property("details");
        if (details.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement detail in details.EnumerateArray())
            {
                string? type = detail.Property("@type").AsString();
                if (type is null)
                {
                    continue;
                }

                if (type.EndsWith("google.rpc.RetryInfo", StringComparison.Ordinal))
                {
                    if (TryReadProtobufDuration(detail.Property("retryDelay"), out TimeSpan delay))
                    {
                        signals.RetryAfterFromBody = delay;
                    }
                }
                else if (type.EndsWith("google.rpc.QuotaFailure", StringComparison.Ordinal))
                {
                    ReadViolations(detail.Property("violations"), ref signals);
                }
            }
        }

        long? smallestQuotaValue = null;
        if (signals.QuotaViolations is { } violations)
        {
            foreach (QuotaViolation violation in violations)
            {
                if (violation.Limit is long value && (smallestQuotaValue is null || value < smallestQuotaValue))
                {
                    smallestQuotaValue = value;
                }

                if (violation.Window == RateLimitWindow.Day)
                {
                    signals.QuotaExhausted = true;
                }
            }
        }

        signals.QuotaLimit = smallestStatedLimit ?? smallestQuotaValue;
        if (signals.QuotaLimit == 0)
        {
            signals.QuotaExhausted = true;
        }
    }

    private static void ReadViolations(JsonElement violations, ref RateLimitSignalsBuilder signals)
    {
        if (violations.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        // When several quotas of one dimension were exceeded, the one with the longest window governs.
        QuotaViolation? requests = null, tokens = null, inputTokens = null, outputTokens = null;
        foreach (JsonElement item in violations.EnumerateArray())
        {
            string? quotaId = item.Property("quotaId").AsString();
            if (quotaId is null)
            {
                continue;
            }

            var violation = new QuotaViolation(quotaId, item.Property("quotaMetric").AsString(), WindowOf(quotaId), item.Property("quotaValue").AsCount());
            (signals.QuotaViolations ??= []).Add(violation);
            if (quotaId.Contains("InputToken", StringComparison.Ordinal))
            {
                inputTokens = Governing(inputTokens, violation);
            }
            else if (quotaId.Contains("OutputToken", StringComparison.Ordinal))
            {
                outputTokens = Governing(outputTokens, violation);
            }
            else if (quotaId.Contains("Token", StringComparison.Ordinal))
            {
                tokens = Governing(tokens, violation);
            }
            else if (quotaId.Contains("Request", StringComparison.Ordinal))
            {
                requests = Governing(requests, violation);
            }
        }

        signals.Requests.Limit = requests?.Limit ?? signals.Requests.Limit;
        signals.RequestsWindow = requests?.Window ?? signals.RequestsWindow;
        signals.Tokens.Limit = tokens?.Limit ?? signals.Tokens.Limit;
        signals.InputTokens.Limit = inputTokens?.Limit ?? signals.InputTokens.Limit;
        signals.OutputTokens.Limit = outputTokens?.Limit ?? signals.OutputTokens.Limit;
    }

    private static QuotaViolation Governing(QuotaViolation? current, QuotaViolation candidate) =>
        current is null || (candidate.Window ?? 0) > (current.Window ?? 0) ? candidate : current;

    private static RateLimitWindow? WindowOf(string quotaId)
    {
        if (quotaId.Contains("PerDay", StringComparison.Ordinal))
        {
            return RateLimitWindow.Day;
        }

        if (quotaId.Contains("PerHour", StringComparison.Ordinal))
        {
            return RateLimitWindow.Hour;
        }

        return quotaId.Contains("PerMinute", StringComparison.Ordinal) ? RateLimitWindow.Minute : null;
    }

    // "* Quota exceeded for metric: ..., limit: 0, model: ..." once per violation.
    private static long? SmallestStatedLimit(string? message)
    {
        if (message is null)
        {
            return null;
        }

        long? smallest = null;
        const string Marker = "limit: ";
        for (int at = message.IndexOf(Marker, StringComparison.Ordinal); at >= 0; at = message.IndexOf(Marker, at + Marker.Length, StringComparison.Ordinal))
        {
            ReadOnlySpan<char> digits = message.AsSpan(at + Marker.Length);
            int end = digits.IndexOfAnyExceptInRange('0', '9');
            if (HeaderValue.TryParseCount(end < 0 ? digits : digits[..end], out long limit) && (smallest is null || limit < smallest))
            {
                smallest = limit;
            }
        }

        return smallest;
    }

    // google.protobuf.Duration in JSON is a string such as "40s" or "45.123s"; the object form is accepted too.
    private static bool TryReadProtobufDuration(JsonElement value, out TimeSpan duration)
    {
        duration = default;
        if (value.ValueKind == JsonValueKind.String)
        {
            return GoDuration.TryParse(value.GetString(), out duration);
        }

        if (value.Property("seconds").AsCount() is long seconds && seconds <= (long)TimeSpan.MaxValue.TotalSeconds - 1)
        {
            long nanos = value.Property("nanos").AsCount() ?? 0;
            duration = TimeSpan.FromSeconds(seconds) + GoDuration.FromNanoseconds(Math.Min(nanos, 999_999_999));
            return true;
        }

        return false;
    }
}
