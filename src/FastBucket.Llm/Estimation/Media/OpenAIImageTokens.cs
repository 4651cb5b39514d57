namespace FastBucket.Estimation.Media;

/// <summary>
/// What an image costs on OpenAI models, per OpenAI's vision pricing: a base plus a price per 512 x 512 tile of the
/// image as the model sees it. gpt-4o-mini bills <see cref="MiniBase"/> + <see cref="MiniTile"/> per tile; other
/// models <see cref="StandardBase"/> + <see cref="StandardTile"/> (o1 and o3 bill a little less, which this errs above).
/// <c>detail: low</c> costs the base only. At high (or auto) detail the image is scaled to fit 2048 x 2048, then down so
/// its shorter side is at most 768, and cut into 512-pixel tiles. When the size cannot be read (a URL, a file id, a
/// format not known here) the image is charged <see cref="UnknownSizeTiles"/> tiles, the most any image can take
/// (768 x 2048): conservative, and given back when the response reports the real usage.
/// </summary>
internal static class OpenAIImageTokens
{
    public const int StandardBase = 85;
    public const int StandardTile = 170;
    public const int MiniBase = 2833;
    public const int MiniTile = 5667;

    /// <summary>Tiles charged for an image whose size is unknown: the most any image can take.</summary>
    public const int UnknownSizeTiles = 8;

    /// <summary>Tokens for one image.</summary>
    public static long For(string? model, ImageSize? size, bool lowDetail)
    {
        bool mini = model is not null && model.Contains("gpt-4o-mini", StringComparison.OrdinalIgnoreCase);
        long baseTokens = mini ? MiniBase : StandardBase;
        long tile = mini ? MiniTile : StandardTile;
        return lowDetail ? baseTokens : baseTokens + (tile * (size is { } known ? Tiles(known) : UnknownSizeTiles));
    }

    /// <summary>The 512-pixel tiles of an image at high detail.</summary>
    public static int Tiles(ImageSize size)
    {
        double width = size.Width;
        double height = size.Height;
        double fit = Math.Min(1, 2048 / Math.Max(width, height));
        width *= fit;
        height *= fit;
        double shorter = Math.Min(width, height);
        if (shorter > 768)
        {
            width *= 768 / shorter;
            height *= 768 / shorter;
        }

        return (int)(Math.Ceiling(Math.Round(width, 6) / 512) * Math.Ceiling(Math.Round(height, 6) / 512));
    }
}
