namespace FastBucket.Estimation.Media;

/// <summary>
/// What media costs on Gemini, per Google's token documentation: an image with both sides at most 384 pixels is
/// <see cref="TileTokens"/>; a larger one is cut into 768 x 768 tiles of <see cref="TileTokens"/> each. A PDF page is
/// <see cref="TileTokens"/>. Video is <see cref="TileTokens"/> per frame (1 frame per second unless the request's
/// <c>videoMetadata.fps</c> says otherwise) plus <see cref="AudioTokensPerSecond"/> for its sound; audio alone is
/// <see cref="AudioTokensPerSecond"/>. A clip's length is read from the request's <c>videoMetadata</c> offsets when it
/// gives both; for inline data it is bounded from its size, assuming no audio below 16 kbps
/// (<see cref="AudioBytesPerSecond"/>) and no video below 100 kbps (<see cref="VideoBytesPerSecond"/>), which errs
/// high. When nothing tells (a file URI with no offsets) the defaults are <see cref="UnknownImageTiles"/> tiles for an
/// image, one page for a PDF and <see cref="UnknownClipSeconds"/> seconds for audio or video.
/// </summary>
internal static class GeminiMediaTokens
{
    public const int TileTokens = 258;
    public const int AudioTokensPerSecond = 32;
    public const int AudioBytesPerSecond = 2_000;
    public const int VideoBytesPerSecond = 12_500;
    public const int UnknownImageTiles = 4;
    public const int UnknownClipSeconds = 60;

    public static long Image(ImageSize? size)
    {
        if (size is not { } known)
        {
            return (long)TileTokens * UnknownImageTiles;
        }

        if (known.Width <= 384 && known.Height <= 384)
        {
            return TileTokens;
        }

        return (long)TileTokens * (long)Math.Ceiling(known.Width / 768.0) * (long)Math.Ceiling(known.Height / 768.0);
    }

    public static long Pdf(long pages) => TileTokens * Math.Max(1, pages);

    public static long Video(double seconds, double framesPerSecond) =>
        (long)Math.Ceiling(Math.Max(0, seconds) * ((TileTokens * framesPerSecond) + AudioTokensPerSecond));

    public static long Audio(double seconds) => (long)Math.Ceiling(Math.Max(0, seconds) * AudioTokensPerSecond);
}
