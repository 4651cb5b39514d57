using System.Globalization;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Faults;
using FastBucket.Simulator.Generation;
using FastBucket.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace FastBucket.Simulator.Providers.Anthropic;

/// <summary>
/// Anthropic: <c>x-api-key</c>, or <c>Authorization: Bearer</c> as the official .NET SDK (13.x) sends the key; errors as <c>{"type":"error","error":{"type","message"},"request_id"}</c>; 429
/// <c>rate_limit_error</c> with <c>retry-after</c> (whole seconds) and <c>x-should-retry</c>; 529 <c>overloaded_error</c>;
/// <c>anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}</c> headers with
/// RFC 3339 resets (when fully replenished) and token remainders rounded to the nearest thousand, as documented.
/// </summary>
internal sealed class AnthropicDialect : ProviderDialect
{
    public override SimulatedProvider Provider => SimulatedProvider.Anthropic;

    public override string? ReadApiKey(HttpRequest request) => NonBlank(request.Headers["x-api-key"]) ?? ReadBearerToken(request);

    public override string NewRequestId(Random random) => "req_011C" + RandomIdentifiers.Alphanumeric(random, 20);

    public override void AddResponseHeaders(IHeaderDictionary headers, string requestId) => headers["request-id"] = requestId;

    public override ErrorResponse MissingApiKey(string requestId) =>
        new(StatusCodes.Status401Unauthorized, ErrorBody("authentication_error", "x-api-key header is required", requestId));

    public override ErrorResponse ClientError(RequestRejection rejection, string requestId) =>
        new(rejection.StatusCode, ErrorBody(rejection.StatusCode == StatusCodes.Status404NotFound ? "not_found_error" : "invalid_request_error", rejection.Message, requestId));

    public override ErrorResponse InjectedFault(FaultKind fault, string requestId) => fault switch
    {
        FaultKind.Overloaded => new(529, ErrorBody("overloaded_error", "Overloaded", requestId), [new("x-should-retry", "true")]),
        FaultKind.ServiceUnavailable => new(StatusCodes.Status503ServiceUnavailable, ErrorBody("api_error", "Service unavailable", requestId), [new("x-should-retry", "true")]),
        _ => new(StatusCodes.Status500InternalServerError, ErrorBody("api_error", "Internal server error", requestId), [new("x-should-retry", "true")]),
    };

    public override ErrorResponse RateLimited(AdmissionDecision decision, GenerationRequest request, string requestId)
    {
        RateLimitDimension dimension = decision.LimitingDimension!.Value;
        AllowanceSnapshot limiting = decision.Find(dimension)!.Value;
        string limitText = string.Create(
            CultureInfo.InvariantCulture,
            $"{limiting.Limit:N0} {Unit(dimension)} per {(RateLimitDimensions.IsPerDay(dimension) ? "day" : "minute")}");
        if (decision.RetryAfter is TimeSpan wait)
        {
            string message = $"This request would exceed the rate limit for your organization (simulator) of {limitText}. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.";
            return new(
                StatusCodes.Status429TooManyRequests,
                ErrorBody("rate_limit_error", message, requestId),
                [new("retry-after", WholeSecondsToWait(wait).ToString(CultureInfo.InvariantCulture)), new("x-should-retry", "true")]);
        }

        string tooLarge = string.Create(
            CultureInfo.InvariantCulture,
            $"This request would exceed the rate limit for your organization (simulator) of {limitText} on its own: it asks for {decision.Requested:N0}. Please reduce the prompt length or the maximum tokens requested.");
        return new(StatusCodes.Status429TooManyRequests, ErrorBody("rate_limit_error", tooLarge, requestId), [new("x-should-retry", "false")]);
    }

    public override void AddRateLimitHeaders(IHeaderDictionary headers, AdmissionDecision decision)
    {
        AddFamily(headers, "requests", Reported(decision, [RateLimitDimension.RequestsPerMinute, RateLimitDimension.RequestsPerDay]), decision.DecidedAt, roundRemaining: false);
        AddFamily(
            headers,
            "tokens",
            Reported(decision, [RateLimitDimension.InputTokensPerMinute, RateLimitDimension.OutputTokensPerMinute, RateLimitDimension.TokensPerMinute, RateLimitDimension.TokensPerDay], byFraction: true),
            decision.DecidedAt,
            roundRemaining: true);
        AddFamily(headers, "input-tokens", decision.Find(RateLimitDimension.InputTokensPerMinute), decision.DecidedAt, roundRemaining: true);
        AddFamily(headers, "output-tokens", decision.Find(RateLimitDimension.OutputTokensPerMinute), decision.DecidedAt, roundRemaining: true);
    }

    /// <summary>The instant an allowance is full again, in whole seconds rounded up, as Anthropic writes it.</summary>
    internal static string FormatReset(DateTimeOffset now, TimeSpan untilFull)
    {
        DateTimeOffset reset = now.ToUniversalTime() + untilFull;
        long unixSeconds = (long)Math.Ceiling((reset - DateTimeOffset.UnixEpoch).TotalSeconds - 1e-9);
        return DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    private static void AddFamily(IHeaderDictionary headers, string family, AllowanceSnapshot? allowance, DateTimeOffset now, bool roundRemaining)
    {
        if (allowance is not AllowanceSnapshot reported)
        {
            return;
        }

        long remaining = roundRemaining
            ? Math.Min(reported.Limit, (long)Math.Round(reported.Remaining / 1000, MidpointRounding.AwayFromZero) * 1000)
            : reported.RemainingWhole;
        string prefix = "anthropic-ratelimit-" + family;
        headers[prefix + "-limit"] = reported.Limit.ToString(CultureInfo.InvariantCulture);
        headers[prefix + "-remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        headers[prefix + "-reset"] = FormatReset(now, reported.TimeUntilFull);
    }

    private static string Unit(RateLimitDimension dimension) => dimension switch
    {
        RateLimitDimension.RequestsPerMinute or RateLimitDimension.RequestsPerDay => "requests",
        RateLimitDimension.InputTokensPerMinute => "input tokens",
        RateLimitDimension.OutputTokensPerMinute => "output tokens",
        _ => "tokens",
    };

    private static byte[] ErrorBody(string type, string message, string requestId) =>
        JsonPayload.Write((type, message, requestId), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteString("type", "error");
            writer.WriteStartObject("error");
            writer.WriteString("type", state.type);
            writer.WriteString("message", state.message);
            writer.WriteEndObject();
            writer.WriteString("request_id", state.requestId);
            writer.WriteEndObject();
        });
}
