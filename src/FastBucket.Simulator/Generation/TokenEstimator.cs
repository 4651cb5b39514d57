using System.Text;

namespace FastBucket.Simulator.Generation;

/// <summary>
/// The simulator's own input-token count: a deterministic estimate, not a tokenizer, so that it stays
/// independent of FastBucket's counting. About four UTF-8 bytes per token, plus a fixed overhead per message and
/// per conversation as chat formats add.
/// </summary>
internal static class TokenEstimator
{
    public const int MessageOverhead = 4;

    public const int ConversationOverhead = 3;

    public static long Text(string? text) =>
        string.IsNullOrEmpty(text) ? 0 : (Encoding.UTF8.GetByteCount(text) + 3L) / 4;

    public static long Message(string? text) => MessageOverhead + Text(text);
}
