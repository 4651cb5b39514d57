using System.Text;
using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Llm.Tests.Usage;

/// <summary>A streaming response body as a provider sends it, and the usage it reports.</summary>
/// <param name="Name">What the transcript is, for test names.</param>
/// <param name="Provider">Who sends it.</param>
/// <param name="Text">The body, with <c>\n</c> line endings.</param>
/// <param name="Expected">The usage it reports, or <see langword="null"/> when it reports none.</param>
public sealed record UsageTranscript(string Name, LlmProvider Provider, string Text, TokenUsage? Expected)
{
    /// <summary>The body as UTF-8 bytes, with <c>\n</c> or <c>\r\n</c> line endings.</summary>
    public byte[] Bytes(bool crlf = false) => Encoding.UTF8.GetBytes(crlf ? Text.Replace("\n", "\r\n", StringComparison.Ordinal) : Text);

    public override string ToString() => Name;
}
