using System.Collections.Concurrent;

namespace FastBucket.Simulator.Providers.Anthropic;

/// <summary>
/// The prompt prefixes each API key has cached, each living 5 minutes from its last use ("the cache has a minimum
/// 5-minute lifetime ... refreshed for no additional cost each time the cached content is used",
/// https://docs.claude.com/en/docs/build-with-claude/prompt-caching). An entry is written when a request using it
/// is admitted, so requests sent together before the first completes may read it (a lenient simplification).
/// </summary>
internal sealed class PromptCache
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<(string ApiKey, string Prefix), long> _expiries = new();
    private readonly TimeProvider _time;

    public PromptCache(TimeProvider time) => _time = time;

    /// <summary>Whether <paramref name="prefix"/> is cached for <paramref name="apiKey"/> now.</summary>
    public bool Contains(string apiKey, string prefix) =>
        _expiries.TryGetValue((apiKey, prefix), out long expiresAt) && _time.GetTimestamp() < expiresAt;

    /// <summary>Writes or refreshes <paramref name="prefix"/> for another lifetime.</summary>
    public void Use(string apiKey, string prefix) =>
        _expiries[(apiKey, prefix)] = _time.GetTimestamp() + (long)(Lifetime.TotalSeconds * _time.TimestampFrequency);
}
