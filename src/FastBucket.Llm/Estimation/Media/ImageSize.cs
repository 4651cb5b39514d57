using System.Buffers.Binary;

namespace FastBucket.Estimation.Media;

/// <summary>An image's width and height in pixels, read from the first bytes of a PNG, GIF, JPEG or WebP file.</summary>
internal readonly record struct ImageSize(int Width, int Height)
{
    /// <summary>Bytes of a file's start that are enough to find its size (a JPEG's frame header follows its metadata).</summary>
    public const int HeaderBytes = 64 * 1024;

    /// <summary>Reads the size from a file's first bytes; false for other formats, truncated headers or zero sizes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> file, out ImageSize size)
    {
        size = default;
        int width = 0;
        int height = 0;
        if (file.Length >= 24 && file.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']))
        {
            width = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(file[16..]), int.MaxValue);
            height = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(file[20..]), int.MaxValue);
        }
        else if (file.Length >= 10 && file.StartsWith("GIF8"u8))
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(file[6..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(file[8..]);
        }
        else if (file.Length >= 30 && file.StartsWith("RIFF"u8) && file[8..].StartsWith("WEBP"u8))
        {
            ReadOnlySpan<byte> chunk = file[12..];
            if (chunk.StartsWith("VP8X"u8))
            {
                width = 1 + (chunk[12] | (chunk[13] << 8) | (chunk[14] << 16));
                height = 1 + (chunk[15] | (chunk[16] << 8) | (chunk[17] << 16));
            }
            else if (chunk.StartsWith("VP8L"u8) && chunk[8] == 0x2F)
            {
                uint bits = BinaryPrimitives.ReadUInt32LittleEndian(chunk[9..]);
                width = 1 + (int)(bits & 0x3FFF);
                height = 1 + (int)((bits >> 14) & 0x3FFF);
            }
            else if (chunk.StartsWith("VP8 "u8))
            {
                width = BinaryPrimitives.ReadUInt16LittleEndian(chunk[14..]) & 0x3FFF;
                height = BinaryPrimitives.ReadUInt16LittleEndian(chunk[16..]) & 0x3FFF;
            }
        }
        else if (file.Length >= 4 && file[0] == 0xFF && file[1] == 0xD8)
        {
            TryReadJpeg(file, out width, out height);
        }

        if (width <= 0 || height <= 0)
        {
            return false;
        }

        size = new ImageSize(width, height);
        return true;
    }

    private static void TryReadJpeg(ReadOnlySpan<byte> file, out int width, out int height)
    {
        width = height = 0;
        int at = 2;
        while (at + 9 < file.Length)
        {
            if (file[at] != 0xFF)
            {
                return;
            }

            byte marker = file[at + 1];
            if (marker == 0xFF)
            {
                at++;
                continue;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(file[(at + 2)..]);

            // Start of frame (baseline, progressive, ...), not DHT (C4), JPG (C8) or DAC (CC).
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                height = BinaryPrimitives.ReadUInt16BigEndian(file[(at + 5)..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(file[(at + 7)..]);
                return;
            }

            if (length < 2)
            {
                return;
            }

            at += 2 + length;
        }
    }
}
