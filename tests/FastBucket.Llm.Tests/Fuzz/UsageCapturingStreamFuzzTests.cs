using FastBucket.Llm.Tests.Usage;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Usage;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FastBucket.Llm.Tests.Fuzz;

/// <summary>
/// The streaming usage parser over mutated real streams, read in random chunks: every byte passes through unchanged,
/// the callback fires exactly once, nothing throws, and memory stays bounded by the largest event, not the body.
/// </summary>
public sealed class UsageCapturingStreamFuzzTests
{
    [Property(MaxTest = 400)]
    public bool Read_MutatedTranscriptInRandomChunks_PassesBytesThroughAndCompletesOnce(int seed, PositiveInt transcriptIndex, PositiveInt chunk)
    {
        UsageTranscript transcript = UsageTranscripts.All[transcriptIndex.Get % UsageTranscripts.All.Length];
        byte[] body = Mutation.Apply(transcript.Bytes(crlf: seed % 2 == 0), seed);
        var completions = new List<(TokenUsage?, bool)>();
        var passed = new MemoryStream();

        string? failure = Budget.Check(transcript.Name, body.Length, allowedPerInputByte: 64, allowedFixed: 512 * 1024, () =>
        {
            using var stream = new UsageCapturingStream(ChunkedStream.OfSize(body, 1 + (chunk.Get % 97)), transcript.Provider, (u, f) => completions.Add((u, f)));
            var buffer = new byte[1 + (seed & 0xFF)];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                passed.Write(buffer, 0, read);
            }
        });

        return failure is null && completions.Count == 1 && passed.ToArray().AsSpan().SequenceEqual(body)
            ? true
            : throw new InvalidOperationException(failure ?? $"{completions.Count} completions, {passed.Length} of {body.Length} bytes");
    }

    [Property(MaxTest = 200)]
    public bool Read_RandomBytes_NeverThrowsAndCompletesOnce(byte[] body, LlmProvider provider)
    {
        int completions = 0;
        using (var stream = new UsageCapturingStream(new MemoryStream(body ?? []), provider, (_, _) => completions++))
        {
            stream.CopyTo(Stream.Null);
        }

        return completions == 1;
    }

    [Theory]
    [InlineData("data: ")]
    [InlineData("[")]
    [InlineData("{\"usage\":")]
    public void Read_EndlessEvent_MemoryBoundedByTheEventLimitNotTheBody(string start)
    {
        // 16 MiB (16 times the event limit) in one event that never ends: skipped past MaxEventBytes, never held whole.
        const int total = 16 << 20;
        byte[] chunk = new byte[1 << 16];
        Array.Fill(chunk, (byte)'x');
        System.Text.Encoding.ASCII.GetBytes(start).CopyTo(chunk, 0);
        int completions = 0;

        string? failure = Budget.Check(start, total, allowedPerInputByte: 0, allowedFixed: 8 * (long)UsageCapturingStream.MaxEventBytes, () =>
        {
            using var stream = new UsageCapturingStream(new RepeatingChunks(chunk, total), LlmProvider.OpenAI, (_, _) => completions++);
            var buffer = new byte[1 << 16];
            while (stream.Read(buffer, 0, buffer.Length) > 0)
            {
            }
        });

        Assert.Null(failure);
        Assert.Equal(1, completions);
    }

    /// <summary>The same chunk again and again, the first time with its start, then as filler: a huge body for free.</summary>
    private sealed class RepeatingChunks(byte[] first, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(Math.Min(count, first.Length), length - _position);
            if (_position == 0)
            {
                Array.Copy(first, 0, buffer, offset, n);
            }
            else
            {
                Array.Fill(buffer, (byte)'x', offset, n);
            }

            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
