using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using System.Text.Unicode;

namespace FastBucket.Providers.Inspection;

/// <summary>
/// Reads an HTTP response as <c>curl -i</c> saves it: a status line (<c>HTTP/1.1 429 Too Many Requests</c>,
/// <c>HTTP/2 429</c>), header lines, a blank line and the body, with CRLF or LF line ends. Interim and proxy
/// responses that <c>curl -i</c> prints first (<c>100 Continue</c>, <c>200 Connection established</c>, redirects
/// followed with <c>-L</c>) are skipped: the last response is returned.
/// </summary>
/// <remarks>
/// Header lines are parsed from the <see cref="PipeReader"/> as they arrive; the body is kept whole (up to
/// <see cref="MaxBodyBytes"/>). Header text is read as UTF-8 when it is valid UTF-8, else as Latin-1. A body
/// saved with <c>Content-Encoding</c> gzip, deflate or br (curl without <c>--compressed</c>) is decompressed.
/// Input that is not such a response gives a failed result naming the problem, never an exception (except
/// cancellation).
/// </remarks>
internal static class RawHttpResponseReader
{
    /// <summary>The most bytes the status line and headers may take: 64 KiB.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    /// <summary>The most bytes the body may take, before and after decompression: 16 MiB.</summary>
    public const int MaxBodyBytes = 16 * 1024 * 1024;

    /// <summary>Reads a saved response from <paramref name="input"/>, which is left open.</summary>
    /// <param name="input">The file's stream.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    public static async ValueTask<RawHttpResponseReadResult> ReadAsync(Stream input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        PipeReader reader = PipeReader.Create(input, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            return await ReadAsync(reader, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads a saved response from <paramref name="reader"/>, to its end. The reader is not completed.</summary>
    /// <param name="reader">The input.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is <see langword="null"/>.</exception>
    public static async ValueTask<RawHttpResponseReadResult> ReadAsync(PipeReader reader, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var head = new ResponseHead();
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (!head.Complete)
                {
                    string? error = head.Parse(buffer, result.IsCompleted, out SequencePosition consumed);
                    if (error is not null)
                    {
                        return RawHttpResponseReadResult.Failure(error);
                    }

                    if (!head.Complete)
                    {
                        if (result.IsCompleted)
                        {
                            return RawHttpResponseReadResult.Failure(head.SawStatusLine ? "The input ends inside the headers." : "The input is empty: no HTTP status line.");
                        }

                        reader.AdvanceTo(consumed, buffer.End);
                        continue;
                    }

                    buffer = buffer.Slice(consumed);
                    if (!result.IsCompleted)
                    {
                        reader.AdvanceTo(consumed, consumed);
                        continue;
                    }

                    // The whole input is here: the body is the rest of this buffer, advanced past once below (a
                    // buffer must not be used, nor advanced again, after it has been advanced).
                }

                if (buffer.Length > MaxBodyBytes)
                {
                    return RawHttpResponseReadResult.Failure($"The body is larger than {MaxBodyBytes} bytes.");
                }

                if (!result.IsCompleted)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                byte[] body = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return Decode(head, body);
            }
        }
        catch (IOException exception)
        {
            return RawHttpResponseReadResult.Failure($"The input could not be read: {exception.Message}");
        }
    }

    private static RawHttpResponseReadResult Decode(ResponseHead head, byte[] body)
    {
        string? encoding = null;
        foreach (KeyValuePair<string, string> header in head.Headers)
        {
            if (header.Key.Equals("content-encoding", StringComparison.OrdinalIgnoreCase))
            {
                encoding = header.Value.Trim();
            }
        }

        if (body.Length > 0 && encoding is not null && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                byte[]? decoded = Decompress(encoding, body);
                if (decoded is null && (encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || encoding.Equals("br", StringComparison.OrdinalIgnoreCase) || encoding.Equals("deflate", StringComparison.OrdinalIgnoreCase)))
                {
                    return RawHttpResponseReadResult.Failure($"The body decompresses to more than {MaxBodyBytes} bytes.");
                }

                body = decoded ?? body;
            }
            catch (InvalidDataException)
            {
                // Saved already decoded (curl --compressed keeps the header): the body is used as it is.
            }
        }

        return RawHttpResponseReadResult.Success(new RawHttpResponse(head.Version, head.StatusCode, head.ReasonPhrase, head.Headers, body));
    }

    // Null when the output passes MaxBodyBytes; the unchanged body for an unknown encoding.
    private static byte[]? Decompress(string encoding, byte[] body)
    {
        using var compressed = new MemoryStream(body, writable: false);
        using Stream? decoder = encoding.ToUpperInvariant() switch
        {
            "GZIP" or "X-GZIP" => new GZipStream(compressed, CompressionMode.Decompress),
            "DEFLATE" => new ZLibStream(compressed, CompressionMode.Decompress),
            "BR" => new BrotliStream(compressed, CompressionMode.Decompress),
            _ => null,
        };

        if (decoder is null)
        {
            return body;
        }

        using var output = new MemoryStream();
        byte[] chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = decoder.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + read > MaxBodyBytes)
                {
                    return null;
                }

                output.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return output.ToArray();
    }

    /// <summary>The status line and headers of the response being read, filled line by line.</summary>
    private sealed class ResponseHead
    {
        private int _bytes;
        private bool _awaitingNextResponse;

        public Version Version { get; private set; } = new(1, 1);

        public int StatusCode { get; private set; }

        public string? ReasonPhrase { get; private set; }

        public List<KeyValuePair<string, string>> Headers { get; private set; } = [];

        public bool SawStatusLine { get; private set; }

        public bool Complete { get; private set; }

        /// <summary>Consumes complete lines; returns an error, or null. <see cref="Complete"/> tells whether the head ended.</summary>
        public string? Parse(ReadOnlySequence<byte> buffer, bool isCompleted, out SequencePosition consumed)
        {
            var reader = new SequenceReader<byte>(buffer);
            consumed = reader.Position;
            while (!Complete)
            {
                if (_awaitingNextResponse)
                {
                    // After an interim or proxy response, another status line may follow.
                    if (reader.Remaining < 5 && !isCompleted)
                    {
                        return null;
                    }

                    if (!reader.IsNext("HTTP/"u8, advancePast: false))
                    {
                        Complete = true;
                        return null;
                    }

                    _awaitingNextResponse = false;
                    SawStatusLine = false;
                    Headers = [];
                }

                ReadOnlySequence<byte> line;
                if (!reader.TryReadTo(out line, (byte)'\n'))
                {
                    if (!isCompleted || reader.End)
                    {
                        if (isCompleted && SawStatusLine)
                        {
                            // A head with no blank line and no body (curl -I output cut short) still counts.
                            Complete = true;
                        }

                        return _bytes + reader.Remaining > MaxHeaderBytes ? HeadersTooLarge() : null;
                    }

                    line = reader.UnreadSequence;
                    reader.AdvanceToEnd();
                }

                consumed = reader.Position;
                _bytes += (int)Math.Min(line.Length + 1, MaxHeaderBytes + 1);
                if (_bytes > MaxHeaderBytes)
                {
                    return HeadersTooLarge();
                }

                string? error = ParseLine(Decode(line));
                if (error is not null)
                {
                    return error;
                }
            }

            return null;
        }

        private static string HeadersTooLarge() => $"The status line and headers take more than {MaxHeaderBytes} bytes.";

        private string? ParseLine(string line)
        {
            if (!SawStatusLine)
            {
                line = line.TrimStart('\uFEFF');
                if (line.Trim().Length == 0)
                {
                    return null;
                }

                return ParseStatusLine(line);
            }

            if (line.Length == 0)
            {
                _awaitingNextResponse = StatusCode is >= 100 and < 200 or >= 300 and < 400
                    || string.Equals(ReasonPhrase, "Connection established", StringComparison.OrdinalIgnoreCase);
                Complete = !_awaitingNextResponse;
                return null;
            }

            if (line[0] is ' ' or '\t')
            {
                // An obsolete folded continuation of the previous header's value.
                if (Headers.Count == 0)
                {
                    return "A continuation line comes before any header.";
                }

                KeyValuePair<string, string> previous = Headers[^1];
                Headers[^1] = new(previous.Key, previous.Value + " " + line.Trim());
                return null;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string name = colon > 0 ? line[..colon] : string.Empty;
            if (name.Length == 0 || name.AsSpan().ContainsAny(" \t"))
            {
                return $"Not a header line: \"{Shorten(line)}\".";
            }

            Headers.Add(new(name, line[(colon + 1)..].Trim()));
            return null;
        }

        private string? ParseStatusLine(string line)
        {
            // "HTTP/1.1 429 Too Many Requests", "HTTP/2 429", "HTTP/2 200 "
            const string Prefix = "HTTP/";
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (!line.StartsWith(Prefix, StringComparison.Ordinal) || space < 0
                || !TryParseVersion(line.AsSpan(Prefix.Length, space - Prefix.Length), out Version? version))
            {
                return $"Not an HTTP response: the first line is not a status line (\"{Shorten(line)}\").";
            }

            ReadOnlySpan<char> rest = line.AsSpan(space + 1).TrimStart(' ');
            if (rest.Length < 3 || !int.TryParse(rest[..3], NumberStyles.None, CultureInfo.InvariantCulture, out int status)
                || status < 100 || (rest.Length > 3 && rest[3] != ' '))
            {
                return $"The status line has no three-digit status code (\"{Shorten(line)}\").";
            }

            string reason = rest[3..].Trim().ToString();
            Version = version;
            StatusCode = status;
            ReasonPhrase = reason.Length == 0 ? null : reason;
            SawStatusLine = true;
            return null;
        }

        private static bool TryParseVersion(ReadOnlySpan<char> text, [NotNullWhen(true)] out Version? version)
        {
            version = text switch
            {
                "1.0" => new Version(1, 0),
                "1.1" => new Version(1, 1),
                "2" or "2.0" => new Version(2, 0),
                "3" or "3.0" => new Version(3, 0),
                _ => null,
            };
            return version is not null;
        }

        private static string Decode(ReadOnlySequence<byte> line)
        {
            ReadOnlySpan<byte> bytes = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
            if (!bytes.IsEmpty && bytes[^1] == (byte)'\r')
            {
                bytes = bytes[..^1];
            }

            return Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
        }

        private static string Shorten(string line) => line.Length <= 60 ? line : string.Concat(line.AsSpan(0, 60), "...");
    }
}
