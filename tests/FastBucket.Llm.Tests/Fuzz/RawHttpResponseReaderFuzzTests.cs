using FastBucket.Llm.Tests.Providers;
using FastBucket.Providers.Inspection;
using FastBucket.Providers;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;

namespace FastBucket.Llm.Tests.Fuzz;

/// <summary>The saved-response reader over mutated <c>curl -i</c> files: a result or a named error, never an exception; bounded memory.</summary>
public sealed class RawHttpResponseReaderFuzzTests
{
    private static readonly ProviderVector[] s_vectors = [.. ProviderVector.All.Values.OrderBy(v => v.Id, StringComparer.Ordinal)];

    [Property(MaxTest = 300)]
    public bool ReadAsync_MutatedCurlOutput_ReturnsAResultOrANamedError(int seed, PositiveInt vectorIndex, bool http2)
    {
        ProviderVector vector = s_vectors[vectorIndex.Get % s_vectors.Length];
        byte[] file = Mutation.Apply(vector.ToCurlOutput(http2, http2 ? "\n" : "\r\n"), seed);

        string? failure = Budget.Check(vector.Id, file.Length, allowedPerInputByte: 32, allowedFixed: 1024 * 1024, () =>
        {
            RawHttpResponseReadResult result = RawHttpResponseReader.ReadAsync(new MemoryStream(file)).AsTask().GetAwaiter().GetResult();
            if (result.Succeeded == (result.Error is not null))
            {
                throw new InvalidOperationException("a result must be a response or an error, not both or neither");
            }
        });
        return failure is null ? true : throw new InvalidOperationException(failure);
    }

    [Property(MaxTest = 200)]
    public bool ReadAsync_RandomBytes_NeverThrows(byte[] file)
    {
        RawHttpResponseReadResult result = RawHttpResponseReader.ReadAsync(new MemoryStream(file ?? [])).AsTask().GetAwaiter().GetResult();
        return result.Succeeded != (result.Error is not null);
    }

    [Fact]
    public async Task ReadAsync_EndlessHeaderOrBody_RefusedAtTheLimitsNotBufferedWhole()
    {
        // 64 MiB of header text without a line end, and a body past 16 MiB: both refused, memory bounded by the limits.
        var endlessHeader = new RepeatingStream("HTTP/1.1 200 OK\r\nx-a: "u8.ToArray(), (byte)'a', 64L << 20);
        var endlessBody = new RepeatingStream("HTTP/1.1 200 OK\r\n\r\n"u8.ToArray(), (byte)'b', 64L << 20);

        RawHttpResponseReadResult header = await RawHttpResponseReader.ReadAsync(endlessHeader);
        RawHttpResponseReadResult body = await RawHttpResponseReader.ReadAsync(endlessBody);

        Assert.False(header.Succeeded);
        Assert.False(body.Succeeded);
        Assert.True(endlessHeader.Position < 32L << 20, $"read {endlessHeader.Position} bytes of an endless header");
        Assert.True(endlessBody.Position < 32L << 20, $"read {endlessBody.Position} bytes of an endless body");
    }

    /// <summary>A prefix followed by one byte repeated: a huge input that costs no memory to produce.</summary>
    private sealed class RepeatingStream(byte[] prefix, byte filler, long length) : Stream
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

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, length - _position);
            for (int i = 0; i < n; i++)
            {
                long at = _position + i;
                buffer[i] = at < prefix.Length ? prefix[at] : filler;
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
