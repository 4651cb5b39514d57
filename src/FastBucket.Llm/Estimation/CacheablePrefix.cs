namespace FastBucket.Estimation;

/// <summary>
/// The prompt prefix up to a request's last <c>cache_control</c> breakpoint (Anthropic: tools, then system, then
/// messages, in that order), which the provider caches and then serves as cache reads.
/// </summary>
/// <param name="TextTokens">Tokens of its text, before the approximation's factor.</param>
/// <param name="FixedTokens">Its fixed estimates (framing, images, documents).</param>
/// <param name="Hash">A 64-bit hash of its JSON, which names it.</param>
/// <param name="TimeToLive">How long the provider keeps it after its last use (5 minutes, or 1 hour with <c>"ttl": "1h"</c>).</param>
internal readonly record struct CacheablePrefix(long TextTokens, long FixedTokens, ulong Hash, TimeSpan TimeToLive);
