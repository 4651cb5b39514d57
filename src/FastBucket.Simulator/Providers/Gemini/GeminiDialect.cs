using System.Globalization;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Faults;
using FastBucket.Simulator.Generation;
using FastBucket.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace FastBucket.Simulator.Providers.Gemini;

/// <summary>
/// Gemini API: <c>x-goog-api-key</c> or <c>?key=</c>; <c>google.rpc.Status</c> errors; no rate-limit headers at all:
/// a 429 is <c>RESOURCE_EXHAUSTED</c> whose details carry <c>QuotaFailure</c> (the quota id names minute or day) and
/// <c>RetryInfo</c>. TPM counts input tokens only. A missing key gets 403 <c>PERMISSION_DENIED</c>, as the real API answers.
/// </summary>
internal sealed class GeminiDialect : ProviderDialect
{
    private const string RateLimitsPage = "https://ai.google.dev/gemini-api/docs/rate-limits";

    public override SimulatedProvider Provider => SimulatedProvider.Gemini;

    public override string? ReadApiKey(HttpRequest request) =>
        NonBlank(request.Headers["x-goog-api-key"]) ?? NonBlank(request.Query["key"]);

    public override string NewRequestId(Random random) => RandomIdentifiers.Hex(random, 16);

    public override ErrorResponse MissingApiKey(string requestId) => new(
        StatusCodes.Status403Forbidden,
        Status(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", "PERMISSION_DENIED"));

    public override ErrorResponse ClientError(RequestRejection rejection, string requestId) =>
        new(rejection.StatusCode, Status(rejection.StatusCode, rejection.Message, rejection.StatusCode == StatusCodes.Status404NotFound ? "NOT_FOUND" : "INVALID_ARGUMENT"));

    public override ErrorResponse InjectedFault(FaultKind fault, string requestId) => fault switch
    {
        FaultKind.ServiceUnavailable => new(StatusCodes.Status503ServiceUnavailable, Status(503, "The model is overloaded. Please try again later.", "UNAVAILABLE")),
        _ => new(StatusCodes.Status500InternalServerError, Status(500, "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", "INTERNAL")),
    };

    public override ErrorResponse RateLimited(AdmissionDecision decision, GenerationRequest request, string requestId)
    {
        RateLimitDimension dimension = decision.LimitingDimension!.Value;
        AllowanceSnapshot limiting = decision.Find(dimension)!.Value;
        (string metric, string quotaId) = Quota(dimension);
        string message = string.Create(
            CultureInfo.InvariantCulture,
            $"You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: {RateLimitsPage}.\n* Quota exceeded for metric: {metric}, limit: {limiting.Limit}, model: {request.Model}");
        if (decision.RetryAfter is TimeSpan wait)
        {
            message += string.Create(CultureInfo.InvariantCulture, $"\nPlease retry in {wait.TotalSeconds:0.#########}s.");
        }

        byte[] body = JsonPayload.Write((message, metric, quotaId, request.Model, limiting.Limit, decision.RetryAfter), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteNumber("code", 429);
            writer.WriteString("message", state.message);
            writer.WriteString("status", "RESOURCE_EXHAUSTED");
            writer.WriteStartArray("details");

            writer.WriteStartObject();
            writer.WriteString("@type", "type.googleapis.com/google.rpc.QuotaFailure");
            writer.WriteStartArray("violations");
            writer.WriteStartObject();
            writer.WriteString("quotaMetric", state.metric);
            writer.WriteString("quotaId", state.quotaId);
            writer.WriteStartObject("quotaDimensions");
            writer.WriteString("location", "global");
            writer.WriteString("model", state.Model);
            writer.WriteEndObject();
            writer.WriteString("quotaValue", state.Limit.ToString(CultureInfo.InvariantCulture));
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();

            writer.WriteStartObject();
            writer.WriteString("@type", "type.googleapis.com/google.rpc.Help");
            writer.WriteStartArray("links");
            writer.WriteStartObject();
            writer.WriteString("description", "Learn more about Gemini API quotas");
            writer.WriteString("url", RateLimitsPage);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();

            // Real responses give whole seconds here and the precise wait in the message; rounding up keeps the
            // stated delay sufficient.
            if (state.RetryAfter is TimeSpan delay)
            {
                writer.WriteStartObject();
                writer.WriteString("@type", "type.googleapis.com/google.rpc.RetryInfo");
                writer.WriteString("retryDelay", WholeSecondsToWait(delay).ToString(CultureInfo.InvariantCulture) + "s");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
        return new(StatusCodes.Status429TooManyRequests, body);
    }

    public override void AddRateLimitHeaders(IHeaderDictionary headers, AdmissionDecision decision)
    {
        // The Gemini API sends no rate-limit headers.
    }

    public override RequestCharge ChargeFor(long inputTokens, int outputTokens) =>
        new(1, inputTokens, inputTokens, outputTokens);

    private static (string Metric, string QuotaId) Quota(RateLimitDimension dimension) => dimension switch
    {
        RateLimitDimension.RequestsPerMinute => ("generativelanguage.googleapis.com/generate_content_paid_tier_requests", "GenerateRequestsPerMinutePerProjectPerModel"),
        RateLimitDimension.RequestsPerDay => ("generativelanguage.googleapis.com/generate_content_paid_tier_requests", "GenerateRequestsPerDayPerProjectPerModel"),
        RateLimitDimension.TokensPerDay => ("generativelanguage.googleapis.com/generate_content_paid_tier_input_token_count", "GenerateContentPaidTierInputTokensPerModelPerDay"),
        RateLimitDimension.OutputTokensPerMinute => ("generativelanguage.googleapis.com/generate_content_paid_tier_output_token_count", "GenerateContentPaidTierOutputTokensPerModelPerMinute"),
        _ => ("generativelanguage.googleapis.com/generate_content_paid_tier_input_token_count", "GenerateContentPaidTierInputTokensPerModelPerMinute"),
    };

    private static byte[] Status(int code, string message, string status) =>
        JsonPayload.Write((code, message, status), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteNumber("code", state.code);
            writer.WriteString("message", state.message);
            writer.WriteString("status", state.status);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
}
