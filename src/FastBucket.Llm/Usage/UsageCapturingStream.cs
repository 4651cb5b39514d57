using System.Buffers;
using System.IO.Pipelines;
using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Usage;

/// <summary>
/// A read-only stream over a streaming response body that passes every byte through to the caller unchanged and,
/// as the caller reads, feeds the same bytes through a <see cref="Pipe"/> to an incremental parser of server-sent
/// events (OpenAI chat with <c>include_usage</c>, the Responses API, Anthropic, Gemini <c>alt=sse</c>) or of a JSON
/// array of objects (Gemini's default <c>streamGenerateContent</c>). The usage is reported once, when the stream ends
/// or is disposed, whichever comes first. Memory is bounded by the largest single event, never by the body.
/// </summary>
public sealed class UsageCapturingStream : Stream
{
    /// <summary>Events larger than this are skipped rather than buffered.</summary>
    public const int MaxEventBytes = 1 << 20;

    private readonly Stream _inner;
    private readonly Action<TokenUsage?> _onCompleted;
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
    private StreamUsageAccumulator _usage;
    private Mode _mode;
    private int _depth;
    private bool _inString;
    private bool _escaped;
    private long _scanned;
    private bool _skipping;
    private int _completed;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The response body.</param>
    /// <param name="provider">The provider (for documentation; every known event shape is read).</param>
    /// <param name="onCompleted">Called once with the usage seen, or <see langword="null"/> when none was.</param>
    public UsageCapturingStream(Stream inner, LlmProvider provider, Action<TokenUsage?> onCompleted)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(onCompleted);
        _inner = inner;
        _onCompleted = onCompleted;
        Provider = provider;
    }

    private enum Mode
    {
        Unknown,
        ServerSentEvents,
        JsonArray,
    }

    /// <summary>The provider the body came from.</summary>
    public LlmProvider Provider { get; }

    /// <summary>The usage seen so far.</summary>
    public TokenUsage? Usage => _usage.Usage;

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        int read = _inner.Read(buffer);
        Observe(buffer[..read]);
        return read;
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..read]);
        return read;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Complete();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        Complete();
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Observe(ReadOnlySpan<byte> chunk)
    {
        if (Volatile.Read(ref _completed) != 0)
        {
            return;
        }

        if (chunk.IsEmpty)
        {
            // End of body: a last event without a trailing newline still counts.
            ParseAvailable(final: true);
            Complete();
            return;
        }

        // The writer never pauses (no threshold), so the flush completes synchronously.
        _pipe.Writer.Write(chunk);
        _ = _pipe.Writer.FlushAsync();
        ParseAvailable(final: false);
    }

    private void ParseAvailable(bool final)
    {
        if (!_pipe.Reader.TryRead(out var result))
        {
            return;
        }

        var buffer = result.Buffer;
        var consumed = _mode == Mode.JsonArray || (_mode == Mode.Unknown && StartsWithArray(buffer))
            ? ParseJsonArray(ref buffer)
            : ParseLines(ref buffer, final);
        _pipe.Reader.AdvanceTo(consumed, buffer.End);
    }

    private SequencePosition ParseLines(ref ReadOnlySequence<byte> buffer, bool final)
    {
        _mode = Mode.ServerSentEvents;
        var reader = new SequenceReader<byte>(buffer);
        while (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            if (!_skipping)
            {
                OnLine(line);
            }

            _skipping = false;
        }

        if (final && !reader.End && !_skipping)
        {
            OnLine(reader.UnreadSequence);
            reader.AdvanceToEnd();
        }
        else if (reader.Remaining > MaxEventBytes)
        {
            // An oversized line: drop what we hold and ignore the rest of it.
            _skipping = true;
            reader.AdvanceToEnd();
        }

        return reader.Position;
    }

    private void OnLine(ReadOnlySequence<byte> line)
    {
        Span<byte> small = stackalloc byte[256];
        var span = line.IsSingleSegment ? line.FirstSpan : line.Length <= small.Length ? Copy(line, small) : line.ToArray();
        if (span.Length > 0 && span[^1] == (byte)'\r')
        {
            span = span[..^1];
        }

        if (!span.StartsWith("data:"u8))
        {
            return; // event:, id:, comments and blank separators carry no usage
        }

        span = span[5..].TrimStart((byte)' ');
        if (!span.SequenceEqual("[DONE]"u8))
        {
            _usage.Observe(span);
        }
    }

    /// <summary>Splits <c>[{...},{...}]</c> into its top-level objects as they complete, tracking strings and escapes.</summary>
    private SequencePosition ParseJsonArray(ref ReadOnlySequence<byte> buffer)
    {
        _mode = Mode.JsonArray;
        var reader = new SequenceReader<byte>(buffer);
        var objectStart = buffer.Start;
        bool inObject = _depth >= 2;
        reader.Advance(_scanned);
        while (reader.TryRead(out byte b))
        {
            if (_inString)
            {
                _escaped = !_escaped && b == (byte)'\\';
                if (!_escaped && b == (byte)'"')
                {
                    _inString = false;
                }

                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    _inString = true;
                    _escaped = false;
                    break;
                case (byte)'[' or (byte)'{':
                    _depth++;
                    if (_depth == 2 && !inObject)
                    {
                        inObject = true;
                        objectStart = buffer.GetPosition(-1, reader.Position);
                    }

                    break;
                case (byte)']' or (byte)'}':
                    _depth--;
                    if (_depth == 1 && inObject)
                    {
                        var element = buffer.Slice(objectStart, reader.Position);
                        _usage.Observe(element.IsSingleSegment ? element.FirstSpan : element.ToArray());
                        inObject = false;
                        objectStart = reader.Position;
                    }

                    break;
            }
        }

        if (!inObject)
        {
            _scanned = 0;
            return reader.Position;
        }

        // Keep the unfinished object; remember how far it was scanned so no byte is scanned twice.
        long held = buffer.Slice(objectStart).Length;
        if (held > MaxEventBytes)
        {
            _depth = 1; // give up on this object; its closing brace will read as the array's depth
            _scanned = 0;
            return reader.Position;
        }

        _scanned = held;
        return objectStart;
    }

    private static bool StartsWithArray(ReadOnlySequence<byte> buffer)
    {
        foreach (var segment in buffer)
        {
            foreach (byte b in segment.Span)
            {
                if (b is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t')
                {
                    continue;
                }

                return b == (byte)'[';
            }
        }

        return false;
    }

    private static ReadOnlySpan<byte> Copy(ReadOnlySequence<byte> line, Span<byte> destination)
    {
        line.CopyTo(destination);
        return destination[..(int)line.Length];
    }

    private void Complete()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _pipe.Writer.Complete();
            _pipe.Reader.Complete();
            _onCompleted(_usage.Usage);
        }
    }
}
