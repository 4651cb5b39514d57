namespace FastBucket.Simulator.Accounting;

/// <summary>How a provider enforces one dimension's limit over time.</summary>
public enum EnforcementKind
{
    /// <summary>
    /// A token bucket of one window's worth, refilled continuously at limit / window, as Anthropic documents
    /// ("your capacity is continuously replenished up to your maximum limit, rather than being reset at fixed
    /// intervals", https://docs.claude.com/en/api/rate-limits).
    /// </summary>
    TokenBucket,

    /// <summary>
    /// The token bucket plus a second bucket holding only <see cref="DimensionAccounting.Period"/>'s worth
    /// (limit × period / window), refilled at the same rate; both must have room. OpenAI: "rate limits may be
    /// quantized, meaning they are enforced over shorter periods of time (e.g. 60,000 requests/minute may be
    /// enforced as 1,000 requests/second)" (https://platform.openai.com/docs/guides/rate-limits). A request
    /// larger than the short bucket is admitted when the short bucket is full.
    /// </summary>
    Quantized,

    /// <summary>
    /// Fixed windows of <see cref="DimensionAccounting.Period"/> aligned to the UTC clock (1 s, 10 s, 60 s, ...),
    /// each allowing limit × period / window (at least 1) and starting empty. Azure OpenAI: "RPM rate limits are
    /// evaluated over a small period of time, typically 1 or 10 seconds"
    /// (https://learn.microsoft.com/azure/ai-foundry/openai/how-to/quota).
    /// </summary>
    FixedWindow,

    /// <summary>
    /// A sliding log: the charges of the last window (60 s for per-minute limits, 24 h for per-day ones) may not
    /// exceed the limit; room comes back when the charge that took it is one window old. The harshest reading
    /// of "N per minute" where a provider does not say more (Gemini).
    /// </summary>
    SlidingLog,

    /// <summary>
    /// Calendar days in <see cref="DimensionAccounting.TimeZone"/>: everything resets at local midnight (23 or
    /// 25 hours apart across daylight-saving changes). Gemini: "Requests per day (RPD) quotas reset at midnight
    /// Pacific time" (https://ai.google.dev/gemini-api/docs/rate-limits); OpenRouter free models: per day, UTC.
    /// </summary>
    CalendarDay,
}
