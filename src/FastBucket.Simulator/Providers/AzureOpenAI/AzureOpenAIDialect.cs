using System.Globalization;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Faults;
using FastBucket.Simulator.Generation;
using FastBucket.Simulator.Http;
using FastBucket.Simulator.Providers.OpenAI;
using Microsoft.AspNetCore.Http;

namespace FastBucket.Simulator.Providers.AzureOpenAI;

/// <summary>
/// Azure OpenAI: <c>api-key</c> (or an Entra bearer token); the deployment names the account; 429 bodies with the
/// string code <c>"429"</c> and "Please retry after N seconds", with <c>retry-after</c>, <c>retry-after-ms</c> and
/// <c>x-ms-retry-after-ms</c>; only <c>x-ratelimit-remaining-requests|tokens</c> headers, as standard deployments send.
/// </summary>
internal sealed class AzureOpenAIDialect : ProviderDialect
{
    public override SimulatedProvider Provider => SimulatedProvider.AzureOpenAI;

    public override string? ReadApiKey(HttpRequest request) => NonBlank(request.Headers["api-key"]) ?? ReadBearerToken(request);

    public override string NewRequestId(Random random) =>
        new Guid(RandomIdentifiers.Hex(random, 32)).ToString("D", CultureInfo.InvariantCulture);

    public override void AddResponseHeaders(IHeaderDictionary headers, string requestId)
    {
        headers["apim-request-id"] = requestId;
        headers["x-request-id"] = requestId;
    }

    public override ErrorResponse MissingApiKey(string requestId) => new(
        StatusCodes.Status401Unauthorized,
        CodeMessageBody("401", "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."));

    public override ErrorResponse ClientError(RequestRejection rejection, string requestId) =>
        rejection.StatusCode == StatusCodes.Status404NotFound
            ? new(StatusCodes.Status404NotFound, CodeMessageBody("404", rejection.Message))
            : new(rejection.StatusCode, OpenAIDialect.ErrorBody(rejection.Message, "invalid_request_error", null));

    public override ErrorResponse InjectedFault(FaultKind fault, string requestId) => fault switch
    {
        FaultKind.ServiceUnavailable => new(StatusCodes.Status503ServiceUnavailable, CodeMessageBody("ServiceUnavailable", "The service is temporarily unable to process your request. Please try again later.")),
        _ => new(StatusCodes.Status500InternalServerError, OpenAIDialect.ErrorBody("The server had an error processing your request. Sorry about that! You can retry your request, or contact us through an Azure support request at: https://go.microsoft.com/fwlink/?linkid=2213926 if you keep seeing this error.", "server_error", null)),
    };

    public override ErrorResponse RateLimited(AdmissionDecision decision, GenerationRequest request, string requestId)
    {
        RateLimitDimension dimension = decision.LimitingDimension!.Value;
        string kind = RateLimitDimensions.CountsRequests(dimension) ? "call" : "token";
        string apiVersion = request.ApiVersion ?? "2024-10-21";
        if (decision.RetryAfter is not TimeSpan wait)
        {
            string tooLarge = string.Create(
                CultureInfo.InvariantCulture,
                $"Requests to the {request.Operation} Operation under Azure OpenAI API version {apiVersion} have exceeded {kind} rate limit of your current OpenAI S0 pricing tier. This request asks for {decision.Requested}, more than the limit allows at once.");
            return new(StatusCodes.Status429TooManyRequests, CodeMessageBody("429", tooLarge));
        }

        long seconds = WholeSecondsToWait(wait);
        string message = string.Create(
            CultureInfo.InvariantCulture,
            $"Requests to the {request.Operation} Operation under Azure OpenAI API version {apiVersion} have exceeded {kind} rate limit of your current OpenAI S0 pricing tier. Please retry after {seconds} seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.");
        string milliseconds = MillisecondsToWait(wait).ToString(CultureInfo.InvariantCulture);
        return new(
            StatusCodes.Status429TooManyRequests,
            CodeMessageBody("429", message),
            [new("retry-after", seconds.ToString(CultureInfo.InvariantCulture)), new("retry-after-ms", milliseconds), new("x-ms-retry-after-ms", milliseconds)]);
    }

    public override void AddRateLimitHeaders(IHeaderDictionary headers, AdmissionDecision decision)
    {
        if (Reported(decision, [RateLimitDimension.RequestsPerMinute, RateLimitDimension.RequestsPerDay]) is AllowanceSnapshot requests)
        {
            headers["x-ratelimit-remaining-requests"] = requests.RemainingWhole.ToString(CultureInfo.InvariantCulture);
        }

        if (Reported(decision, [RateLimitDimension.TokensPerMinute, RateLimitDimension.TokensPerDay]) is AllowanceSnapshot tokens)
        {
            headers["x-ratelimit-remaining-tokens"] = tokens.RemainingWhole.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static byte[] CodeMessageBody(string code, string message) =>
        JsonPayload.Write((code, message), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("code", state.code);
            writer.WriteString("message", state.message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
}
