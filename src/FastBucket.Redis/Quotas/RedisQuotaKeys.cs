using FastBucket.Quotas;
using StackExchange.Redis;

namespace FastBucket.Redis;

/// <summary>
/// Where a quota lives: the hash <c>{prefix:provider:account:model}</c> and the lease set
/// <c>{prefix:provider:account:model}:inflight</c>. The braces make the whole name a hash tag, so Redis Cluster puts
/// both keys in one slot and the script may touch them together.
/// </summary>
internal static class RedisQuotaKeys
{
    internal static RedisKey[] For(string prefix, QuotaKey key)
    {
        string tag = string.Join(':', prefix, key.Provider.ToString(), Clean(key.Account ?? "_"), Clean(key.Model));
        return [new RedisKey("{" + tag + "}"), new RedisKey("{" + tag + "}:inflight")];
    }

    // A brace inside the name would end the hash tag early; nothing else in a key needs escaping.
    private static string Clean(string part) => part.Replace('{', '(').Replace('}', ')');
}
