using System.Security.Cryptography;
using System.Text;

namespace FastBucket.Simulator.Accounting;

/// <summary>A short, stable, one-way name for an API key, so that logs and statistics can tell keys apart without holding them.</summary>
internal static class ApiKeyFingerprint
{
    public static string Of(string apiKey)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(apiKey), hash);
        return "key-" + Convert.ToHexStringLower(hash[..6]);
    }
}
