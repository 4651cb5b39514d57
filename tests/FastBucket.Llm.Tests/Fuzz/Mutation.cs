using System.Text;

namespace FastBucket.Llm.Tests.Fuzz;

/// <summary>
/// Mutates real inputs the way fuzzers do: flip, insert, delete and duplicate bytes, splice in tokens that parsers
/// special-case (digits, signs, separators, huge numbers, deep nesting), truncate. Deterministic for a seed.
/// </summary>
internal static class Mutation
{
    private static readonly string[] s_tokens =
    [
        "-1", "0", "99999999999999999999999", "1e400", "NaN", "-", ".", ":", ",", "\"", "\\", "\\u0000", "{", "}", "[", "]",
        "\r\n", "\n", "\r", " ", "\t", "data:", "data: [DONE]\n\n", "event: message_stop\n", "usage", "\"usage\":{", "h", "ms", "µs",
        "14h29m11.04s", "Please try again in ", " requests per minute", "Limit ", "limited to ", "/Type /Page", "%PDF", "base64,",
        "Content-Length: 99999999999\r\n", "Transfer-Encoding: chunked\r\n", "Content-Encoding: gzip\r\n", "HTTP/1.1 100 Continue\r\n\r\n",
        new string('[', 300), new string('{', 300), new string('9', 400), new string('a', 5000),
    ];

    /// <summary>Applies 1 to 8 random mutations to <paramref name="input"/>.</summary>
    public static byte[] Apply(byte[] input, int seed)
    {
        var random = new Random(seed);
        var bytes = new List<byte>(input);
        int count = 1 + random.Next(8);
        for (int i = 0; i < count; i++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count + 1);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0:
                    bytes[Math.Min(at, bytes.Count - 1)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(Math.Min(at, bytes.Count - 1), Math.Min(1 + random.Next(16), bytes.Count - Math.Min(at, bytes.Count - 1)));
                    break;
                case 3:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(s_tokens[random.Next(s_tokens.Length)]));
                    break;
                case 4 when bytes.Count > 0:
                    int from = random.Next(bytes.Count);
                    int length = Math.Min(1 + random.Next(64), bytes.Count - from);
                    bytes.InsertRange(at, bytes.GetRange(from, length));
                    break;
                case 5:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    if (bytes.Count > 0)
                    {
                        bytes[Math.Min(at, bytes.Count - 1)] = (byte)"0123456789-.:,\"{}[] \n"[random.Next(21)];
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>Mutates text (kept valid UTF-16 by going through UTF-8 with replacement).</summary>
    public static string Apply(string input, int seed) => Encoding.UTF8.GetString(Apply(Encoding.UTF8.GetBytes(input), seed));
}
