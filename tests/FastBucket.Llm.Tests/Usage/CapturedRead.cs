using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Usage;

namespace FastBucket.Llm.Tests.Usage;

/// <summary>What a caller saw reading a body through a <see cref="UsageCapturingStream"/>: the bytes, and every completion callback.</summary>
internal sealed class CapturedRead
{
    private CapturedRead(byte[] passed, IReadOnlyList<TokenUsage?> completions)
    {
        Passed = passed;
        Completions = completions;
    }

    public byte[] Passed { get; }

    public IReadOnlyList<TokenUsage?> Completions { get; }

    /// <summary>The usage of the one completion; fails when the callback did not fire exactly once.</summary>
    public TokenUsage? Usage => Assert.Single(Completions);

    /// <summary>Reads <paramref name="inner"/> to its end through a capturing stream with reads of <paramref name="bufferSize"/> bytes, then disposes it.</summary>
    public static CapturedRead ToEnd(Stream inner, LlmProvider provider, int bufferSize)
    {
        var completions = new List<TokenUsage?>();
        var output = new MemoryStream();
        using (var stream = new UsageCapturingStream(inner, provider, completions.Add))
        {
            var buffer = new byte[bufferSize];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                output.Write(buffer, 0, read);
            }

            // The end of the body completes the capture before any dispose.
            Assert.Single(completions);
            Assert.Equal(completions[0], stream.Usage);
        }

        return new CapturedRead(output.ToArray(), completions);
    }

    /// <summary>As <see cref="ToEnd"/>, with <see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/>.</summary>
    public static async Task<CapturedRead> ToEndAsync(Stream inner, LlmProvider provider, int bufferSize)
    {
        var completions = new List<TokenUsage?>();
        var output = new MemoryStream();
        await using (var stream = new UsageCapturingStream(inner, provider, completions.Add))
        {
            var buffer = new byte[bufferSize];
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory())) > 0)
            {
                output.Write(buffer, 0, read);
            }

            Assert.Single(completions);
        }

        return new CapturedRead(output.ToArray(), completions);
    }
}
