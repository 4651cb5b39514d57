using System.Buffers.Binary;
using System.Text;

namespace FastBucket.Llm.Tests.Estimation.Media;

/// <summary>The first bytes of real image formats, and small PDFs, as base64 for request bodies.</summary>
internal static class MediaFiles
{
    public static byte[] Png(int width, int height)
    {
        var bytes = new byte[33];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), (uint)height);
        bytes[24] = 8;
        bytes[25] = 6;
        return bytes;
    }

    public static byte[] Gif(int width, int height)
    {
        var bytes = new byte[13];
        "GIF89a"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)height);
        return bytes;
    }

    /// <summary>A JPEG whose frame header follows an APP1 (EXIF) segment of <paramref name="metadataBytes"/> bytes.</summary>
    public static byte[] Jpeg(int width, int height, int metadataBytes = 100)
    {
        var bytes = new List<byte> { 0xFF, 0xD8, 0xFF, 0xE1 };
        bytes.Add((byte)((metadataBytes + 2) >> 8));
        bytes.Add((byte)(metadataBytes + 2));
        bytes.AddRange(new byte[metadataBytes]);
        bytes.AddRange([0xFF, 0xC0, 0, 17, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 3]);
        bytes.AddRange(new byte[12]);
        return [.. bytes];
    }

    /// <summary>A PDF with <paramref name="pages"/> page objects, padded with <paramref name="padding"/> bytes of filler between objects.</summary>
    public static byte[] Pdf(int pages, int padding = 0)
    {
        var text = new StringBuilder("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"2 0 obj\n<< /Type /Pages /Kids [] /Count {pages} >>\nendobj\n");
        for (int i = 0; i < pages; i++)
        {
            text.Append(new string('x', padding));
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n{i + 3} 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>\nendobj\n");
        }

        text.Append("%%EOF\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    public static string Base64(byte[] bytes) => Convert.ToBase64String(bytes);

    public static string DataUrl(string mediaType, byte[] bytes) => $"data:{mediaType};base64,{Convert.ToBase64String(bytes)}";
}
