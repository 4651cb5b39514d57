using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FastBucket.Simulator.Generation;

namespace FastBucket.Simulator.Providers.Anthropic;

/// <summary>
/// The cacheable prefix of a Messages request: everything (system, then messages in order) up to and including the
/// last content block that carries <c>cache_control</c>, counted by the simulator's own rule and named by a hash of
/// its JSON, as Anthropic caches "the full prefix ... up to and including the block designated with cache_control"
/// (https://docs.claude.com/en/docs/build-with-claude/prompt-caching).
/// </summary>
/// <param name="Tokens">The prefix's tokens.</param>
/// <param name="Key">The prefix's identity (model and content hash).</param>
internal readonly record struct CachePrefix(long Tokens, string Key)
{
    public static CachePrefix? Find(string model, JsonElement? system, JsonElement messages)
    {
        var raw = new StringBuilder(model).Append('\n');
        long tokens = TokenEstimator.ConversationOverhead;
        CachePrefix? last = null;

        if (system is JsonElement systemValue)
        {
            last = Walk(systemValue, ref tokens, raw, last) ?? last;
        }

        foreach (JsonElement message in messages.EnumerateArray())
        {
            tokens += TokenEstimator.MessageOverhead;
            raw.Append(RequestJson.String(message, "role")).Append(':');
            if (RequestJson.Property(message, "content") is JsonElement content)
            {
                last = Walk(content, ref tokens, raw, last) ?? last;
            }
        }

        return last;
    }

    private static CachePrefix? Walk(JsonElement content, ref long tokens, StringBuilder raw, CachePrefix? last)
    {
        if (content.ValueKind != JsonValueKind.Array)
        {
            tokens += TokenEstimator.Text(RequestJson.Text(content));
            raw.Append(content.GetRawText());
            return last;
        }

        foreach (JsonElement block in content.EnumerateArray())
        {
            tokens += TokenEstimator.Text(RequestJson.Text(block));
            raw.Append(block.GetRawText());
            if (block.ValueKind == JsonValueKind.Object && RequestJson.Property(block, "cache_control") is { ValueKind: JsonValueKind.Object })
            {
                last = new CachePrefix(tokens, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(raw.ToString()))));
            }
        }

        return last;
    }
}
