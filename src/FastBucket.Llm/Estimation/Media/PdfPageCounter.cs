namespace FastBucket.Estimation.Media;

/// <summary>
/// Counts the pages of a PDF from its bytes: its <c>/Type /Page</c> objects, or the largest <c>/Count</c> of its page
/// tree (the root's is the total), whichever is larger. Page objects packed in compressed object streams are not
/// visible to this scan; then, with no count either, the page count is estimated as one per
/// <see cref="BytesPerUnseenPage"/> bytes (errs high for text documents). Never throws.
/// </summary>
internal static class PdfPageCounter
{
    /// <summary>Bytes per page assumed when no page can be seen.</summary>
    public const int BytesPerUnseenPage = 50_000;

    // A pattern may straddle two decoded chunks: this many bytes of the previous chunk are searched again.
    private const int Overlap = 32;

    /// <summary>Counts the pages in base64-encoded PDF text.</summary>
    public static long CountBase64(ReadOnlySpan<byte> base64)
    {
        var state = new ScanState();
        Base64Payload.DecodeChunks(base64, ref state, static (chunk, ref s) => s.Scan(chunk));
        state.Finish();
        long pages = Math.Max(state.TypePages, state.MaxCount);
        return pages > 0 ? pages : Math.Max(1, (Base64Payload.DecodedLength(base64) + BytesPerUnseenPage - 1) / BytesPerUnseenPage);
    }

    /// <summary>Counts the pages in raw PDF bytes.</summary>
    public static long Count(ReadOnlySpan<byte> pdf)
    {
        var state = new ScanState();
        state.Scan(pdf);
        state.Finish();
        long pages = Math.Max(state.TypePages, state.MaxCount);
        return pages > 0 ? pages : Math.Max(1, (pdf.Length + BytesPerUnseenPage - 1) / BytesPerUnseenPage);
    }

    private struct ScanState
    {
        public long TypePages;
        public long MaxCount;
        private byte[]? _tail;
        private int _tailLength;

        /// <summary>Scans a chunk; a match is counted where it starts, so one that straddles two chunks counts once.</summary>
        public void Scan(ReadOnlySpan<byte> chunk)
        {
            if (_tailLength > 0)
            {
                Span<byte> joint = stackalloc byte[Overlap * 2];
                _tail.AsSpan(0, _tailLength).CopyTo(joint);
                int take = Math.Min(Overlap, chunk.Length);
                chunk[..take].CopyTo(joint[_tailLength..]);
                ScanSpan(joint[..(_tailLength + take)], startsBefore: _tailLength);
            }

            int tail = Math.Min(Overlap, chunk.Length);
            ScanSpan(chunk, startsBefore: chunk.Length - tail);
            _tail ??= new byte[Overlap];
            chunk[^tail..].CopyTo(_tail);
            _tailLength = tail;
        }

        /// <summary>Scans what the last chunk held back.</summary>
        public void Finish()
        {
            ScanSpan(_tail.AsSpan(0, _tailLength), startsBefore: _tailLength);
            _tailLength = 0;
        }

        private void ScanSpan(ReadOnlySpan<byte> span, int startsBefore)
        {
            int at = 0;
            while (at < span.Length && at < startsBefore)
            {
                int slash = span[at..].IndexOf((byte)'/');
                if (slash < 0)
                {
                    return;
                }

                at += slash;
                if (at >= startsBefore)
                {
                    return;
                }

                ReadOnlySpan<byte> rest = span[at..];
                if (rest.StartsWith("/Type"u8))
                {
                    ReadOnlySpan<byte> value = SkipSpace(rest[5..]);
                    if (value.StartsWith("/Page"u8) && (value.Length == 5 || !char.IsAsciiLetterOrDigit((char)value[5])))
                    {
                        if (value.Length > 5)
                        {
                            TypePages++;
                        }
                    }
                }
                else if (rest.StartsWith("/Count"u8))
                {
                    ReadOnlySpan<byte> digits = SkipSpace(rest[6..]);
                    long n = 0;
                    int i = 0;
                    while (i < digits.Length && i < 9 && char.IsAsciiDigit((char)digits[i]))
                    {
                        n = (n * 10) + (digits[i] - '0');
                        i++;
                    }

                    if (i > 0 && i < digits.Length)
                    {
                        MaxCount = Math.Max(MaxCount, n);
                    }
                }

                at++;
            }
        }

        private static ReadOnlySpan<byte> SkipSpace(ReadOnlySpan<byte> span)
        {
            int i = 0;
            while (i < span.Length && span[i] is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' or 0 or 0x0C)
            {
                i++;
            }

            return span[i..];
        }
    }
}
