using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Usage;

/// <summary>
/// A read-only stream over a streaming response body that passes every byte through to the caller unchanged and,
/// as the caller reads, feeds the same bytes through a <see cref="Pipe"/> to an incremental parser of server-sent
/// events (OpenAI chat with <c>include_usage</c>, the Responses API, Anthropic, Gemini <c>alt=sse</c>, Groq) or of a
/// JSON array of objects (Gemini's default <c>streamGenerateContent</c>), or a plain JSON body where a provider
/// answered a streaming request without streaming. The usage is reported once, when the stream ends or is disposed,
/// whichever comes first, even when a dispose races a read on another thread, together with whether it is the
/// response's final count (see <see cref="IsFinal"/>): a stream abandoned part of the way reports its running counts
/// as not final. Memory is bounded by the largest single event, never by the body; malformed events are skipped,
/// never thrown.
/// </summary>
public sealed class UsageCapturingStream : Stream
{
    /// <summary>Events larger than this are skipped rather than buffered.</summary>
    public const int MaxEventBytes = 1 << 20;

    private readonly Stream _inner;
    private readonly Action<TokenUsage?, bool> _onCompleted;
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
    private readonly Lock _gate = new();
    private StreamUsageAccumulator _usage;
    private Mode _mode;
    private int _elementDepth;
    private int _depth;
    private bool _inString;
    private bool _escaped;
    private long _scanned;
    private bool _skipping;
    private bool _completed;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The response body.</param>
    /// <param name="provider">The provider (for documentation; every known event shape is read).</param>
    /// <param name="onCompleted">Called once with the usage seen, or <see langword="null"/> when none was.</param>
    public UsageCapturingStream(Stream inner, LlmProvider provider, Action<TokenUsage?> onCompleted)
        : this(inner, provider, Ignoring(onCompleted))
    {
    }

    /// <summary>Wraps <paramref name="inner"/>, telling a final count from a running one.</summary>
    /// <param name="inner">The response body.</param>
    /// <param name="provider">The provider (for documentation; every known event shape is read).</param>
    /// <param name="onCompleted">
    /// Called once with the usage seen (or <see langword="null"/> when none was) and whether it is final
    /// (<see cref="IsFinal"/> at that moment).
    /// </param>
    public UsageCapturingStream(Stream inner, LlmProvider provider, Action<TokenUsage?, bool> onCompleted)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(onCompleted);
        _inner = inner;
        _onCompleted = onCompleted;
        Provider = provider;
    }

    private static Action<TokenUsage?, bool> Ignoring(Action<TokenUsage?> onCompleted)
    {
        ArgumentNullException.ThrowIfNull(onCompleted);
        return (usage, _) => onCompleted(usage);
    }

    private enum Mode
    {
        Unknown,
        ServerSentEvents,
        Json,
    }

    /// <summary>The provider the body came from.</summary>
    public LlmProvider Provider { get; }

    /// <summary>The usage seen so far.</summary>
    public TokenUsage? Usage
    {
        get
        {
            lock (_gate)
            {
                return _usage.Usage;
            }
        }
    }

    /// <summary>
    /// Whether the usage seen so far is the response's final count: the body was read to its end, a JSON body or
    /// array closed, an end marker (<c>[DONE]</c>, <c>message_stop</c>) went by, or a usage that only the last event
    /// carries was seen. False while only running counts (Anthropic's <c>message_start</c>, Gemini's earlier
    /// chunks) have been seen.
    /// </summary>
    public bool IsFinal
    {
        get
        {
            lock (_gate)
            {
                return _usage.IsFinal;
            }
        }
    }

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
        Observe(buffer[..read], endOfBody: read == 0 && !buffer.IsEmpty);
        return read;
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..read], endOfBody: read == 0 && !buffer.IsEmpty);
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
        if (disposing && Complete())
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (Complete())
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Observe(ReadOnlySpan<byte> chunk, bool endOfBody)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            if (!chunk.IsEmpty)
            {
                // The writer never pauses (no threshold), so the flush completes synchronously.
                _pipe.Writer.Write(chunk);
                _ = _pipe.Writer.FlushAsync();
                ParseAvailable();
            }
            else if (endOfBody)
            {
                // A completed writer hands the reader what is left, so a last event without a trailing newline still counts.
                _pipe.Writer.Complete();
                ParseAvailable();
                _usage.MarkFinal();
            }
            else
            {
                // A zero-byte read (a caller waiting for data) is not the end of the body.
                return;
            }
        }

        if (endOfBody)
        {
            Complete();
        }
    }

    private void ParseAvailable()
    {
        if (!_pipe.Reader.TryRead(out var result))
        {
            return;
        }

        var buffer = result.Buffer;
        if (_mode == Mode.Unknown)
        {
            _mode = DetectMode(buffer);
            if (_mode == Mode.Unknown)
            {
                // Only whitespace so far: nothing worth keeping.
                _pipe.Reader.AdvanceTo(buffer.End);
                return;
            }
        }

        var consumed = _mode == Mode.ServerSentEvents ? ParseLines(buffer, result.IsCompleted) : ParseJson(buffer);
        _pipe.Reader.AdvanceTo(consumed, buffer.End);
    }

    private Mode DetectMode(ReadOnlySequence<byte> buffer)
    {
        foreach (var segment in buffer)
        {
            foreach (byte b in segment.Span)
            {
                switch (b)
                {
                    case (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t':
                        continue;
                    case (byte)'[':
                        _elementDepth = 2;
                        return Mode.Json;
                    case (byte)'{':
                        // A provider that answered a streaming request with one JSON body.
                        _elementDepth = 1;
                        return Mode.Json;
                    default:
                        return Mode.ServerSentEvents;
                }
            }
        }

        return Mode.Unknown;
    }

    private SequencePosition ParseLines(ReadOnlySequence<byte> buffer, bool final)
    {
        Debug.Assert(_scanned <= buffer.Length, "The held line was kept whole, so its searched part is still in the buffer.");
        while (buffer.Slice(_scanned).PositionOf((byte)'\n') is { } newline)
        {
            if (!_skipping)
            {
                OnLine(buffer.Slice(0, newline));
            }

            _skipping = false;
            _scanned = 0;
            buffer = buffer.Slice(buffer.GetPosition(1, newline));
        }

        if (final && !_skipping && !buffer.IsEmpty)
        {
            OnLine(buffer);
            return buffer.End;
        }

        if (_skipping || buffer.Length > MaxEventBytes)
        {
            // An oversized line: drop what we hold and ignore the rest of it, up to its newline.
            _skipping = true;
            _scanned = 0;
            return buffer.End;
        }

        // Keep the unfinished line; remember how far it was searched so no byte is searched twice.
        _scanned = buffer.Length;
        return buffer.Start;
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
        if (span.SequenceEqual("[DONE]"u8))
        {
            _usage.MarkFinal();
        }
        else
        {
            _usage.Observe(span);
        }
    }

    /// <summary>
    /// Splits a JSON array (<c>[{...},{...}]</c>) into its top-level elements, or a bare JSON body into its objects,
    /// as each completes, tracking strings and escapes so that brackets inside text do not count.
    /// </summary>
    private SequencePosition ParseJson(ReadOnlySequence<byte> buffer)
    {
        Debug.Assert(_elementDepth is 1 or 2, "The mode was detected from the first byte.");
        Debug.Assert(_scanned <= buffer.Length, "The held element was kept whole, so its scanned part is still in the buffer.");
        var reader = new SequenceReader<byte>(buffer);
        bool holding = _depth >= _elementDepth && !_skipping;

        // When holding, the buffer starts where the unfinished element does.
        long elementStart = 0;
        reader.Advance(_scanned);
        while (true)
        {
            // Skip, vectorized, to the next byte that can change the state: long text and filler cost little.
            bool found = _inString
                ? _escaped || reader.TryAdvanceToAny("\"\\"u8, advancePastDelimiter: false)
                : reader.TryAdvanceToAny("\"[]{}"u8, advancePastDelimiter: false);
            if (!found)
            {
                reader.AdvanceToEnd();
                break;
            }

            if (!reader.TryRead(out byte b))
            {
                break;
            }

            if (_inString)
            {
                if (_escaped)
                {
                    _escaped = false;
                }
                else if (b == (byte)'\\')
                {
                    _escaped = true;
                }
                else if (b == (byte)'"')
                {
                    _inString = false;
                }

                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    _inString = true;
                    break;
                case (byte)'[' or (byte)'{':
                    _depth++;
                    if (_depth == _elementDepth)
                    {
                        holding = true;
                        _skipping = false;
                        elementStart = reader.Consumed - 1;
                    }

                    break;
                case (byte)']' or (byte)'}':
                    if (_depth == 0)
                    {
                        break; // unbalanced: nothing to close
                    }

                    _depth--;
                    if (_depth == 0)
                    {
                        // The array, or the lone body, closed: whatever follows is not part of this answer.
                        _usage.MarkFinal();
                    }

                    if (_depth == _elementDepth - 1)
                    {
                        if (holding)
                        {
                            var element = buffer.Slice(elementStart, reader.Consumed - elementStart);
                            _usage.Observe(element.IsSingleSegment ? element.FirstSpan : element.ToArray());
                        }

                        holding = false;
                        _skipping = false;
                    }

                    break;
            }
        }

        if (!holding)
        {
            _scanned = 0;
            return buffer.End;
        }

        long held = reader.Consumed - elementStart;
        if (held > MaxEventBytes)
        {
            // An oversized element: drop it, keep tracking its depth, and ignore it when it closes.
            _skipping = true;
            _scanned = 0;
            return buffer.End;
        }

        // Keep the unfinished element; remember how far it was scanned so no byte is scanned twice.
        _scanned = held;
        return buffer.GetPosition(elementStart);
    }

    private static ReadOnlySpan<byte> Copy(ReadOnlySequence<byte> line, Span<byte> destination)
    {
        line.CopyTo(destination);
        return destination[..(int)line.Length];
    }

    /// <summary>Ends the capture and reports the usage, the first time only; returns whether this call did it.</summary>
    private bool Complete()
    {
        TokenUsage? usage;
        bool final;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _completed = true;
            _pipe.Writer.Complete();
            _pipe.Reader.Complete();
            usage = _usage.Usage;
            final = _usage.IsFinal;
        }

        _onCompleted(usage, final);
        return true;
    }
}
