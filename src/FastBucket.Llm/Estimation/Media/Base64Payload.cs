using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace FastBucket.Estimation.Media;

/// <summary>
/// Reads base64 media inside a request body (a data URL's payload, Anthropic's <c>source.data</c>, Gemini's
/// <c>inlineData.data</c>) without decoding more than needed: its decoded length, its first bytes, or its bytes in
/// chunks. Malformed base64 reads as whatever decoded before the fault; never throws.
/// </summary>
internal static class Base64Payload
{
    /// <summary>Bytes decoded at a time when a payload is scanned whole.</summary>
    private const int ChunkBytes = 48 * 1024;

    /// <summary>
    /// The base64 text of a JSON string value (from after <c>base64,</c> for a data URL), as UTF-8, pointing into the
    /// document (a value with JSON escapes is unescaped into a new array).
    /// </summary>
    /// <param name="value">The JSON string.</param>
    /// <param name="mediaType">The data URL's media type (<c>image/png</c>), or <see langword="null"/> when the value is not a data URL.</param>
    /// <returns>The base64 text; empty when the value is not a string, or a data URL that is not base64.</returns>
    public static ReadOnlySpan<byte> Text(JsonElement value, out string? mediaType)
    {
        mediaType = null;
        if (value.ValueKind != JsonValueKind.String)
        {
            return default;
        }

        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length >= 2 && raw[0] == (byte)'"')
        {
            raw = raw[1..^1];
        }

        ReadOnlySpan<byte> text = raw.Contains((byte)'\\') ? System.Text.Encoding.UTF8.GetBytes(value.GetString()!) : raw;
        if (!text.StartsWith("data:"u8))
        {
            return text;
        }

        int comma = text.IndexOf((byte)',');
        if (comma < 0)
        {
            return default;
        }

        ReadOnlySpan<byte> header = text[5..comma];
        int semicolon = header.IndexOf((byte)';');
        mediaType = System.Text.Encoding.UTF8.GetString(semicolon < 0 ? header : header[..semicolon]);
        return header.EndsWith(";base64"u8) ? text[(comma + 1)..] : default;
    }

    /// <summary>The size of a base64-encoded image (a data URL or bare base64), or <see langword="null"/> when it cannot be read.</summary>
    public static ImageSize? ImageSizeOf(JsonElement value)
    {
        ReadOnlySpan<byte> text = Text(value, out _);
        if (text.IsEmpty)
        {
            return null;
        }

        byte[] header = ArrayPool<byte>.Shared.Rent(ImageSize.HeaderBytes);
        try
        {
            int written = DecodePrefix(text, header.AsSpan(0, ImageSize.HeaderBytes));
            return ImageSize.TryRead(header.AsSpan(0, written), out ImageSize size) ? size : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(header);
        }
    }

    /// <summary>The decoded length of base64 text (padding and line breaks aside).</summary>
    public static long DecodedLength(ReadOnlySpan<byte> base64)
    {
        int padding = base64.EndsWith("=="u8) ? 2 : base64.EndsWith("="u8) ? 1 : 0;
        return Math.Max(0, ((long)base64.Length * 3 / 4) - padding);
    }

    /// <summary>Decodes up to <paramref name="destination"/>'s length of bytes from the start of the text.</summary>
    public static int DecodePrefix(ReadOnlySpan<byte> base64, Span<byte> destination)
    {
        int take = Math.Min(base64.Length, (destination.Length / 3) * 4);
        Base64.DecodeFromUtf8(base64[..take], destination, out _, out int written, isFinalBlock: take == base64.Length);
        return written;
    }

    /// <summary>Decodes the whole text in chunks, handing each to <paramref name="onChunk"/> (the span is only valid during the call).</summary>
    public static void DecodeChunks<TState>(ReadOnlySpan<byte> base64, ref TState state, ChunkAction<TState> onChunk)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            while (!base64.IsEmpty)
            {
                int take = Math.Min(base64.Length, (ChunkBytes / 3) * 4);
                OperationStatus status = Base64.DecodeFromUtf8(base64[..take], buffer, out int consumed, out int written, isFinalBlock: take == base64.Length);
                if (written > 0)
                {
                    onChunk(buffer.AsSpan(0, written), ref state);
                }

                if (status != OperationStatus.Done || consumed == 0)
                {
                    return;
                }

                base64 = base64[consumed..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Called with each decoded chunk.</summary>
    public delegate void ChunkAction<TState>(ReadOnlySpan<byte> chunk, ref TState state);
}
