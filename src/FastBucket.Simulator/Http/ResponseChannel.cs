using FastBucket.Simulator.Faults;
using Microsoft.AspNetCore.Http;

namespace FastBucket.Simulator.Http;

/// <summary>
/// Writes one successful response: a whole JSON body, or a stream of framed JSON chunks paced by the chunk
/// interval. It carries out the faults that corrupt a response: a connection reset (before the body, or
/// mid-stream) and malformed JSON (a cut-short body, or one cut-short chunk). Writes after an abort do nothing.
/// </summary>
internal sealed class ResponseChannel
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventTerminator = "\n\n"u8.ToArray();

    private readonly HttpContext _context;
    private readonly TimeProvider _time;
    private readonly TimeSpan _chunkInterval;
    private readonly FaultPlan _faults;
    private readonly int _faultChunk;
    private int _chunksWritten;
    private bool _faultApplied;

    /// <param name="context">The exchange.</param>
    /// <param name="time">The clock of the chunk pauses.</param>
    /// <param name="chunkInterval">The pause before each chunk after the first.</param>
    /// <param name="faults">The request's faults.</param>
    /// <param name="expectedChunks">About how many chunks a streamed response has; a mid-stream fault strikes halfway.</param>
    public ResponseChannel(HttpContext context, TimeProvider time, TimeSpan chunkInterval, FaultPlan faults, int expectedChunks)
    {
        _context = context;
        _time = time;
        _chunkInterval = chunkInterval;
        _faults = faults;
        _faultChunk = Math.Max(1, expectedChunks / 2);
    }

    public bool IsAborted { get; private set; }

    /// <summary>Which corrupting fault was carried out, if any.</summary>
    public FaultKind? AppliedFault => _faultApplied ? _faults.Replacement : null;

    public async Task WriteJsonAsync(byte[] body, CancellationToken cancellationToken)
    {
        if (_faults.Is(FaultKind.ConnectionReset))
        {
            Abort();
            return;
        }

        if (_faults.Is(FaultKind.MalformedJson))
        {
            body = body[..(body.Length / 2)];
            _faultApplied = true;
        }

        HttpResponse response = _context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }

    public Task StartStreamAsync(string contentType, CancellationToken cancellationToken)
    {
        HttpResponse response = _context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.Headers.CacheControl = "no-cache";
        return response.StartAsync(cancellationToken);
    }

    /// <summary>Writes <c>data: {json}</c>, preceded by <c>event: {name}</c> when a name is given, as one server-sent event.</summary>
    public Task WriteEventAsync(string? eventName, byte[] json, CancellationToken cancellationToken)
    {
        byte[] prefix = eventName is null ? DataPrefix : System.Text.Encoding.UTF8.GetBytes($"event: {eventName}\ndata: ");
        return WriteChunkAsync(prefix, json, EventTerminator, cancellationToken);
    }

    /// <summary>Writes one paced chunk: <paramref name="prefix"/>, then <paramref name="json"/> (the part a malformed-JSON fault cuts), then <paramref name="suffix"/>.</summary>
    public async Task WriteChunkAsync(ReadOnlyMemory<byte> prefix, byte[] json, ReadOnlyMemory<byte> suffix, CancellationToken cancellationToken)
    {
        if (IsAborted)
        {
            return;
        }

        if (_chunksWritten > 0 && _chunkInterval > TimeSpan.Zero)
        {
            await Task.Delay(_chunkInterval, _time, cancellationToken).ConfigureAwait(false);
        }

        if (_chunksWritten == _faultChunk && !_faultApplied)
        {
            if (_faults.Is(FaultKind.ConnectionReset))
            {
                Abort();
                return;
            }

            if (_faults.Is(FaultKind.MalformedJson))
            {
                json = json[..(json.Length / 2)];
                _faultApplied = true;
            }
        }

        Stream body = _context.Response.Body;
        await body.WriteAsync(prefix, cancellationToken).ConfigureAwait(false);
        await body.WriteAsync(json, cancellationToken).ConfigureAwait(false);
        await body.WriteAsync(suffix, cancellationToken).ConfigureAwait(false);
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        _chunksWritten++;
    }

    /// <summary>Writes bytes that are framing, not a chunk (<c>data: [DONE]</c>, a closing bracket): neither paced nor corrupted.</summary>
    public async Task WriteRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (IsAborted)
        {
            return;
        }

        await _context.Response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await _context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends a streamed response; a mid-stream fault the stream was too short to reach strikes here.</summary>
    public async Task CompleteStreamAsync(CancellationToken cancellationToken)
    {
        if (IsAborted || _faultApplied)
        {
            return;
        }

        if (_faults.Is(FaultKind.ConnectionReset))
        {
            Abort();
        }
        else if (_faults.Is(FaultKind.MalformedJson))
        {
            _faultApplied = true;
            await _context.Response.Body.WriteAsync("data: {\"choices\":[{\"delta\":\n\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            await _context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Abort()
    {
        IsAborted = true;
        _faultApplied = true;
        _context.Abort();
    }
}
