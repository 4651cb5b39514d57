namespace FastBucket.Llm.Tests.Usage;

/// <summary>
/// A response body as the network delivers it: each read returns at most the next chunk (never more than the
/// caller asked for), then either the end of the body or, with <see cref="ThrowAtEnd"/>, a broken connection.
/// </summary>
internal sealed class ChunkedStream : Stream
{
    private readonly byte[] _data;
    private readonly int[] _chunkEnds;
    private int _position;
    private int _chunk;

    private ChunkedStream(byte[] data, int[] chunkEnds)
    {
        _data = data;
        _chunkEnds = chunkEnds;
    }

    /// <summary>When set, the read that would report the end of the body throws an <see cref="IOException"/> instead.</summary>
    public bool ThrowAtEnd { get; set; }

    public int DisposeCount { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Delivers <paramref name="data"/> in chunks of <paramref name="size"/> bytes (the last one shorter).</summary>
    public static ChunkedStream OfSize(byte[] data, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var ends = new List<int>();
        for (int end = size; end < data.Length; end += size)
        {
            ends.Add(end);
        }

        ends.Add(data.Length);
        return new ChunkedStream(data, [.. ends]);
    }

    /// <summary>Delivers <paramref name="data"/> split at the given offsets (ascending, each within the data).</summary>
    public static ChunkedStream SplitAt(byte[] data, params int[] splits)
    {
        var ends = splits.Where(s => s > 0 && s < data.Length).Distinct().Order().Append(data.Length).ToArray();
        return new ChunkedStream(data, ends);
    }

    /// <summary>Delivers <paramref name="data"/> in chunks of the given sizes, cycling through them.</summary>
    public static ChunkedStream OfSizes(byte[] data, IReadOnlyList<int> sizes)
    {
        var ends = new List<int>();
        int end = 0;
        for (int i = 0; end < data.Length; i++)
        {
            end = Math.Min(data.Length, end + Math.Max(1, sizes[i % sizes.Count]));
            ends.Add(end);
        }

        if (ends.Count == 0)
        {
            ends.Add(0);
        }

        return new ChunkedStream(data, [.. ends]);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_position == _data.Length)
        {
            return ThrowAtEnd ? throw new IOException("The connection was reset mid-body.") : 0;
        }

        int chunkEnd = _chunkEnds[_chunk];
        int n = Math.Min(buffer.Length, chunkEnd - _position);
        _data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        if (_position == chunkEnd && _chunk < _chunkEnds.Length - 1)
        {
            _chunk++;
        }

        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Every read completes asynchronously, as a socket read mostly does.
        await Task.Yield();
        return Read(buffer.Span);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        DisposeCount++;
        base.Dispose(disposing);
    }
}
