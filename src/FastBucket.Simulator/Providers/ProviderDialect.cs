using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Faults;
using FastBucket.Simulator.Generation;
using Microsoft.AspNetCore.Http;

namespace FastBucket.Simulator.Providers;

/// <summary>
/// What one provider shares across its endpoints: where the API key travels, how errors and 429s are shaped,
/// which rate-limit headers it sends and how it counts tokens against its limits.
/// </summary>
internal abstract class ProviderDialect
{
    public abstract SimulatedProvider Provider { get; }

    /// <summary>The API key from the provider's header; <see langword="null"/> when absent or blank.</summary>
    public abstract string? ReadApiKey(HttpRequest request);

    public abstract string NewRequestId(Random random);

    /// <summary>Headers every response carries, such as the request id.</summary>
    public virtual void AddResponseHeaders(IHeaderDictionary headers, string requestId)
    {
    }

    public abstract ErrorResponse MissingApiKey(string requestId);

    public abstract ErrorResponse ClientError(RequestRejection rejection, string requestId);

    /// <summary>The response of an injected 500, 503 or 529.</summary>
    public abstract ErrorResponse InjectedFault(FaultKind fault, string requestId);

    /// <summary>The 429 of a refused admission, with its retry headers.</summary>
    public abstract ErrorResponse RateLimited(AdmissionDecision decision, GenerationRequest request, string requestId);

    /// <summary>Adds the provider's rate-limit headers for the state after <paramref name="decision"/>.</summary>
    public abstract void AddRateLimitHeaders(IHeaderDictionary headers, AdmissionDecision decision);

    /// <summary>The 429 under an accounting model whose signals differ from the provider's usual ones (Groq's wording).</summary>
    public virtual ErrorResponse RateLimited(AdmissionDecision decision, GenerationRequest request, string requestId, AccountingModel accounting) =>
        RateLimited(decision, request, requestId);

    /// <summary>The rate-limit headers under an accounting model (Groq's per-day requests family).</summary>
    public virtual void AddRateLimitHeaders(IHeaderDictionary headers, AdmissionDecision decision, AccountingModel accounting) =>
        AddRateLimitHeaders(headers, decision);

    /// <summary>
    /// What a request costs: one request; input plus output against TPM/TPD (OpenAI counts prompt plus the
    /// requested maximum at admission); input against ITPM; output against OTPM (Anthropic counts max_tokens).
    /// </summary>
    public virtual RequestCharge ChargeFor(long inputTokens, int outputTokens) =>
        new(1, inputTokens + outputTokens, inputTokens, outputTokens);

    protected static string? ReadBearerToken(HttpRequest request)
    {
        string? authorization = request.Headers.Authorization;
        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string token = authorization[Scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    protected static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>
    /// The allowance a header family reports among <paramref name="family"/>: the limiting one on a refusal,
    /// else the one with the least left (<paramref name="byFraction"/>: relative to its limit, for families that
    /// mix units), earlier dimensions first on ties.
    /// </summary>
    protected static AllowanceSnapshot? Reported(AdmissionDecision decision, ReadOnlySpan<RateLimitDimension> family, bool byFraction = false)
    {
        AllowanceSnapshot? best = null;
        foreach (RateLimitDimension dimension in family)
        {
            if (decision.Find(dimension) is not AllowanceSnapshot candidate)
            {
                continue;
            }

            if (decision.LimitingDimension == dimension)
            {
                return candidate;
            }

            if (best is not AllowanceSnapshot current || Left(candidate, byFraction) < Left(current, byFraction))
            {
                best = candidate;
            }
        }

        return best;

        static double Left(AllowanceSnapshot allowance, bool byFraction) =>
            byFraction ? allowance.Remaining / allowance.Limit : allowance.Remaining;
    }

    /// <summary>Whole seconds to wait, rounded up so that waiting them is always enough.</summary>
    protected static long WholeSecondsToWait(TimeSpan wait) => (long)Math.Ceiling(wait.TotalSeconds - 1e-9);

    /// <summary>Milliseconds to wait, rounded up.</summary>
    protected static long MillisecondsToWait(TimeSpan wait) => (long)Math.Ceiling(wait.TotalMilliseconds - 1e-6);
}
