using System.Globalization;
using System.Text.Json;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Faults;
using FastBucket.Simulator.Generation;
using FastBucket.Simulator.Http;
using Microsoft.AspNetCore.Http;

namespace FastBucket.Simulator.Providers.OpenAI;

/// <summary>
/// OpenAI: <c>Authorization: Bearer</c>; errors as <c>{"error":{"message","type","param","code"}}</c>; 429s of type
/// <c>requests</c> or <c>tokens</c> with code <c>rate_limit_exceeded</c> and a "Please try again in 1.2s." hint;
/// <c>x-ratelimit-limit|remaining|reset-requests|tokens</c> headers with Go-style durations until full.
/// </summary>
internal sealed class OpenAIDialect : ProviderDialect
{
    private const string MissingKeyMessage =
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.";

    public override SimulatedProvider Provider => SimulatedProvider.OpenAI;

    public override string? ReadApiKey(HttpRequest request) => ReadBearerToken(request);

    public override string NewRequestId(Random random) => "req_" + RandomIdentifiers.Hex(random, 32);

    public override void AddResponseHeaders(IHeaderDictionary headers, string requestId)
    {
        headers["x-request-id"] = requestId;
        headers["openai-version"] = "2020-10-01";
    }

    public override ErrorResponse MissingApiKey(string requestId) =>
        new(StatusCodes.Status401Unauthorized, ErrorBody(MissingKeyMessage, "invalid_request_error", null));

    public override ErrorResponse ClientError(RequestRejection rejection, string requestId) =>
        new(rejection.StatusCode, ErrorBody(rejection.Message, "invalid_request_error", null));

    public override ErrorResponse InjectedFault(FaultKind fault, string requestId) => fault switch
    {
        FaultKind.ServiceUnavailable => new(StatusCodes.Status503ServiceUnavailable, ErrorBody("The server is overloaded or not ready yet.", "server_error", null)),
        _ => new(StatusCodes.Status500InternalServerError, ErrorBody("The server had an error while processing your request. Sorry about that!", "server_error", null)),
    };

    public override ErrorResponse RateLimited(AdmissionDecision decision, GenerationRequest request, string requestId)
    {
        RateLimitDimension dimension = decision.LimitingDimension!.Value;
        AllowanceSnapshot limiting = decision.Find(dimension)!.Value;
        string type = RateLimitDimensions.CountsRequests(dimension) ? "requests" : "tokens";
        string message;
        List<KeyValuePair<string, string>> headers = [];
        if (decision.RetryAfter is TimeSpan wait)
        {
            message = string.Create(
                CultureInfo.InvariantCulture,
                $"Rate limit reached for {request.Model} in organization org-simulator on {Describe(dimension)}: Limit {limiting.Limit}, Used {limiting.Used}, Requested {decision.Requested}. Please try again in {GoDuration.Format(wait)}. Visit https://platform.openai.com/account/rate-limits to learn more.");
            headers.Add(new("retry-after", WholeSecondsToWait(wait).ToString(CultureInfo.InvariantCulture)));
        }
        else
        {
            message = string.Create(
                CultureInfo.InvariantCulture,
                $"Request too large for {request.Model} in organization org-simulator on {Describe(dimension)}: Limit {limiting.Limit}, Requested {decision.Requested}. The input or output tokens must be reduced in order to run successfully. Visit https://platform.openai.com/account/rate-limits to learn more.");
        }

        return new(StatusCodes.Status429TooManyRequests, ErrorBody(message, type, "rate_limit_exceeded"), headers);
    }

    /// <summary>Groq's wording when the model says so; OpenAI's otherwise.</summary>
    public override ErrorResponse RateLimited(AdmissionDecision decision, GenerationRequest request, string requestId, AccountingModel accounting)
    {
        if (accounting.Headers != RateLimitHeaderStyle.PerDayRequests || decision.RetryAfter is not TimeSpan wait)
        {
            return RateLimited(decision, request, requestId);
        }

        // Groq (https://console.groq.com/docs/rate-limits): the only place its RPM appears; retry-after on 429s only.
        RateLimitDimension dimension = decision.LimitingDimension!.Value;
        AllowanceSnapshot limiting = decision.Find(dimension)!.Value;
        string message = string.Create(
            CultureInfo.InvariantCulture,
            $"Rate limit reached for model `{request.Model}` in organization `org_simulator` service tier `on_demand` on {Describe(dimension)}: Limit {limiting.Limit}, Used {limiting.Used}, Requested {decision.Requested}. Please try again in {GoDuration.Format(wait)}. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing");
        string type = RateLimitDimensions.CountsRequests(dimension) ? "requests" : "tokens";
        return new(StatusCodes.Status429TooManyRequests, ErrorBody(message, type, "rate_limit_exceeded"), [new("retry-after", WholeSecondsToWait(wait).ToString(CultureInfo.InvariantCulture))]);
    }

    /// <summary>Under Groq's style the requests family reports the per-day count, the tokens family the per-minute one.</summary>
    public override void AddRateLimitHeaders(IHeaderDictionary headers, AdmissionDecision decision, AccountingModel accounting)
    {
        if (accounting.Headers != RateLimitHeaderStyle.PerDayRequests)
        {
            AddRateLimitHeaders(headers, decision);
            return;
        }

        AddFamily(headers, "requests", decision.Find(RateLimitDimension.RequestsPerDay));
        AddFamily(headers, "tokens", decision.Find(RateLimitDimension.TokensPerMinute));
    }

    public override void AddRateLimitHeaders(IHeaderDictionary headers, AdmissionDecision decision)
    {
        AddFamily(headers, "requests", Reported(decision, [RateLimitDimension.RequestsPerMinute, RateLimitDimension.RequestsPerDay]));
        AddFamily(headers, "tokens", Reported(decision, [RateLimitDimension.TokensPerMinute, RateLimitDimension.TokensPerDay]));
    }

    /// <summary>The <c>{"error":{...}}</c> body OpenAI (and Azure OpenAI for most errors) sends.</summary>
    internal static byte[] ErrorBody(string message, string type, string? code) =>
        JsonPayload.Write((message, type, code), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", state.message);
            writer.WriteString("type", state.type);
            writer.WriteNull("param");
            if (state.code is null)
            {
                writer.WriteNull("code");
            }
            else
            {
                writer.WriteString("code", state.code);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        });

    private static void AddFamily(IHeaderDictionary headers, string family, AllowanceSnapshot? allowance)
    {
        if (allowance is not AllowanceSnapshot reported)
        {
            return;
        }

        headers["x-ratelimit-limit-" + family] = reported.Limit.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-" + family] = reported.RemainingWhole.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset-" + family] = GoDuration.Format(reported.TimeUntilFull);
    }

    private static string Describe(RateLimitDimension dimension) => dimension switch
    {
        RateLimitDimension.RequestsPerMinute => "requests per min (RPM)",
        RateLimitDimension.TokensPerMinute => "tokens per min (TPM)",
        RateLimitDimension.InputTokensPerMinute => "input tokens per min (ITPM)",
        RateLimitDimension.OutputTokensPerMinute => "output tokens per min (OTPM)",
        RateLimitDimension.RequestsPerDay => "requests per day (RPD)",
        _ => "tokens per day (TPD)",
    };
}
