using System.Text;
using FastBucket.Quotas;
using StackExchange.Redis;

namespace FastBucket.Redis;

/// <summary>
/// Where a quota lives: the hash <c>{prefix:provider:account:model}</c>, the lease set
/// <c>{prefix:provider:account:model}:inflight</c> and the window rule's per-second counts
/// <c>{prefix:provider:account:model}:seconds</c>. The braces make the whole name a hash tag, so Redis Cluster puts
/// the keys in one slot and the script may touch them together.
/// </summary>
/// <remarks>
/// Each part is percent-encoded (<c>%</c>, <c>:</c>, <c>{</c>, <c>}</c>), so no two keys share a name: account
/// <c>a:b</c> with model <c>c</c> is not account <c>a</c> with model <c>b:c</c>, and <c>x{1}</c> is not <c>x(1)</c>.
/// No account is written <c>_</c>; an account is written with a leading <c>=</c>, so no account is never an account.
/// </remarks>
internal static class RedisQuotaKeys
{
    internal static RedisKey[] For(string prefix, QuotaKey key)
    {
        string account = key.Account is null ? "_" : "=" + Encode(key.Account);
        string tag = string.Join(':', prefix, key.Provider.ToString(), account, Encode(key.Model));
        return [new RedisKey("{" + tag + "}"), new RedisKey("{" + tag + "}:inflight"), new RedisKey("{" + tag + "}:seconds")];
    }

    private static string Encode(string part)
    {
        if (part.AsSpan().IndexOfAny("%:{}") < 0)
        {
            return part;
        }

        var text = new StringBuilder(part.Length + 8);
        foreach (char c in part)
        {
            text.Append(c switch
            {
                '%' => "%25",
                ':' => "%3A",
                '{' => "%7B",
                '}' => "%7D",
                _ => c.ToString(),
            });
        }

        return text.ToString();
    }
}
