using System.Collections.Concurrent;

namespace FastBucket.Estimation;

/// <summary>
/// Remembers which prompt prefixes the provider has cached, per model, and until when: a prefix becomes warm when a
/// request carrying it has been answered (the provider wrote it then) and stays warm for its time to live after its
/// last use, as Anthropic refreshes it on every read. Bounded: at most <see cref="MaxPrefixes"/> prefixes are
/// remembered; further ones are treated as cold (charged in full, which errs high).
/// </summary>
internal sealed class PromptCacheTracker
{
    /// <summary>The most prefixes remembered at once.</summary>
    public const int MaxPrefixes = 4096;

    private readonly ConcurrentDictionary<(string Model, ulong Hash), long> _expiries = new();
    private readonly TimeProvider _time;

    public PromptCacheTracker(TimeProvider time) => _time = time;

    /// <summary>Whether <paramref name="hash"/> is cached for <paramref name="model"/> now.</summary>
    public bool IsWarm(string? model, ulong hash) =>
        _expiries.TryGetValue((Key(model), hash), out long expires) && _time.GetTimestamp() < expires;

    /// <summary>Records that the provider holds the prefix for another <paramref name="timeToLive"/> from now.</summary>
    public void Touch(string? model, ulong hash, TimeSpan timeToLive)
    {
        long now = _time.GetTimestamp();
        long expires = now + (long)(timeToLive.TotalSeconds * _time.TimestampFrequency);
        if (_expiries.Count >= MaxPrefixes)
        {
            foreach (var entry in _expiries)
            {
                if (entry.Value <= now)
                {
                    _expiries.TryRemove(entry);
                }
            }

            if (_expiries.Count >= MaxPrefixes)
            {
                return;
            }
        }

        _expiries[(Key(model), hash)] = expires;
    }

    /// <summary>
    /// The fewest prompt tokens Anthropic caches for a model (shorter prefixes are processed uncached): 4,096 for Claude
    /// Opus 4.5 and Haiku 4.5, 2,048 for the Claude 3 Haiku models, 1,024 for the others.
    /// </summary>
    public static long MinimumCacheableTokens(string? model)
    {
        if (model is null)
        {
            return 4096;
        }

        if (model.Contains("opus-4-5", StringComparison.OrdinalIgnoreCase) || model.Contains("opus-4.5", StringComparison.OrdinalIgnoreCase)
            || model.Contains("haiku-4-5", StringComparison.OrdinalIgnoreCase) || model.Contains("haiku-4.5", StringComparison.OrdinalIgnoreCase))
        {
            return 4096;
        }

        return model.Contains("3-haiku", StringComparison.OrdinalIgnoreCase) || model.Contains("3-5-haiku", StringComparison.OrdinalIgnoreCase) ? 2048 : 1024;
    }

    private static string Key(string? model) => model?.ToLowerInvariant() ?? string.Empty;
}
