using System.Globalization;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Faults;
using FastBucket.Simulator.Generation;
using FastBucket.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace FastBucket.Simulator.Providers.OpenRouter;

/// <summary>
/// OpenRouter: <c>Authorization: Bearer</c>; errors as <c>{"error":{"message","code"}}</c> with an integer code;
/// <c>X-RateLimit-Limit|Remaining|Reset</c> headers, the reset in epoch milliseconds; on a 429 the same values also
/// sit in the body at <c>error.metadata.headers</c>.
/// </summary>
internal sealed class OpenRouterDialect : ProviderDialect
{
    public override SimulatedProvider Provider => SimulatedProvider.OpenRouter;

    public override string? ReadApiKey(HttpRequest request) => ReadBearerToken(request);

    public override string NewRequestId(Random random) => RandomIdentifiers.Hex(random, 16);

    public override ErrorResponse MissingApiKey(string requestId) =>
        new(StatusCodes.Status401Unauthorized, ErrorBody("No auth credentials found", 401));

    public override ErrorResponse ClientError(RequestRejection rejection, string requestId) =>
        new(rejection.StatusCode, ErrorBody(rejection.Message, rejection.StatusCode));

    public override ErrorResponse InjectedFault(FaultKind fault, string requestId) => fault switch
    {
        FaultKind.ServiceUnavailable => new(StatusCodes.Status503ServiceUnavailable, ErrorBody("Service Unavailable", 503)),
        _ => new(StatusCodes.Status500InternalServerError, ErrorBody("Internal Server Error", 500)),
    };

    public override ErrorResponse RateLimited(AdmissionDecision decision, GenerationRequest request, string requestId)
    {
        RateLimitDimension dimension = decision.LimitingDimension!.Value;
        AllowanceSnapshot limiting = decision.Find(dimension)!.Value;
        string reason = dimension switch
        {
            RateLimitDimension.RequestsPerMinute => "free-models-per-min",
            RateLimitDimension.RequestsPerDay => "free-models-per-day",
            RateLimitDimension.TokensPerDay => "tokens-per-day",
            _ => "tokens-per-min",
        };
        KeyValuePair<string, string>[] headers = Headers(limiting, decision.DecidedAt);
        string message = decision.IsTooLarge
            ? string.Create(CultureInfo.InvariantCulture, $"Rate limit exceeded: {reason}. This request alone asks for {decision.Requested} of {limiting.Limit}.")
            : $"Rate limit exceeded: {reason}.";

        byte[] body = JsonPayload.Write((message, headers), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", state.message);
            writer.WriteNumber("code", 429);
            writer.WriteStartObject("metadata");
            writer.WriteStartObject("headers");
            foreach (KeyValuePair<string, string> header in state.headers)
            {
                writer.WriteString(header.Key, header.Value);
            }

            writer.WriteEndObject();
            writer.WriteNull("provider_name");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteString("user_id", "user_simulator");
            writer.WriteEndObject();
        });
        return new(StatusCodes.Status429TooManyRequests, body);
    }

    public override void AddRateLimitHeaders(IHeaderDictionary headers, AdmissionDecision decision)
    {
        AllowanceSnapshot? reported = Reported(decision, [RateLimitDimension.RequestsPerMinute, RateLimitDimension.RequestsPerDay])
            ?? Reported(decision, [RateLimitDimension.TokensPerMinute, RateLimitDimension.InputTokensPerMinute, RateLimitDimension.OutputTokensPerMinute, RateLimitDimension.TokensPerDay], byFraction: true);
        if (decision.LimitingDimension is RateLimitDimension limiting)
        {
            reported = decision.Find(limiting);
        }

        if (reported is AllowanceSnapshot allowance)
        {
            foreach (KeyValuePair<string, string> header in Headers(allowance, decision.DecidedAt))
            {
                headers[header.Key] = header.Value;
            }
        }
    }

    internal static byte[] ErrorBody(string message, int code) =>
        JsonPayload.Write((message, code), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", state.message);
            writer.WriteNumber("code", state.code);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });

    private static KeyValuePair<string, string>[] Headers(AllowanceSnapshot allowance, DateTimeOffset now)
    {
        long resetMilliseconds = now.ToUnixTimeMilliseconds() + MillisecondsToWait(allowance.TimeUntilFull);
        return
        [
            new("X-RateLimit-Limit", allowance.Limit.ToString(CultureInfo.InvariantCulture)),
            new("X-RateLimit-Remaining", allowance.RemainingWhole.ToString(CultureInfo.InvariantCulture)),
            new("X-RateLimit-Reset", resetMilliseconds.ToString(CultureInfo.InvariantCulture)),
        ];
    }
}
