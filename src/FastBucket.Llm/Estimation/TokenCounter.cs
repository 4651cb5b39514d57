using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace FastBucket.Estimation;

/// <summary>Counts the tokens of text and of JSON values with one tokenizer, without allocating a string per value.</summary>
internal sealed class TokenCounter
{
    // Below this many UTF-8 bytes a value is decoded on the stack.
    private const int StackChars = 512;

    private readonly Tokenizer _tokenizer;

    public TokenCounter(Tokenizer tokenizer) => _tokenizer = tokenizer;

    /// <summary>Tokens in <paramref name="text"/>.</summary>
    public int Count(ReadOnlySpan<char> text) => text.IsEmpty ? 0 : _tokenizer.CountTokens(text);

    /// <summary>
    /// Tokens in a JSON value: the text of a string, the raw JSON of anything else (numbers, objects, arrays),
    /// and 0 for <see langword="null"/> or a missing value.
    /// </summary>
    public int CountValue(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined:
            case JsonValueKind.Null:
                return 0;
            case JsonValueKind.String:
                ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(value);
                if (raw.Length >= 2 && raw[0] == (byte)'"')
                {
                    raw = raw[1..^1];
                }

                // An escaped string must be unescaped first; a plain one can be decoded straight from the document.
                return raw.Contains((byte)'\\') ? Count(value.GetString()) : CountUtf8(raw);
            default:
                return CountUtf8(JsonMarshal.GetRawUtf8Value(value));
        }
    }

    /// <summary>Tokens in <paramref name="text"/>; 0 for <see langword="null"/>.</summary>
    public int Count(string? text) => string.IsNullOrEmpty(text) ? 0 : _tokenizer.CountTokens(text);

    private int CountUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return 0;
        }

        int maxChars = Encoding.UTF8.GetMaxCharCount(utf8.Length);
        char[]? rented = null;
        Span<char> buffer = maxChars <= StackChars
            ? stackalloc char[StackChars]
            : (rented = ArrayPool<char>.Shared.Rent(maxChars));
        try
        {
            int written = Encoding.UTF8.GetChars(utf8, buffer);
            return Count(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}
