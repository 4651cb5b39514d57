namespace FastBucket.Estimation.Media;

/// <summary>
/// What an image costs on Claude, per Anthropic's vision documentation: about width x height / 750 tokens, after the
/// image is scaled down to at most <see cref="MaxLongEdge"/> pixels on its long edge and about 1.15 megapixels, so at
/// most about <see cref="MaxTokens"/>. An image whose size cannot be read is charged <see cref="MaxTokens"/>.
/// </summary>
internal static class AnthropicImageTokens
{
    public const int MaxTokens = 1600;
    public const int MaxLongEdge = 1568;
    private const double MaxPixels = 1_150_000;

    public static long For(ImageSize? size)
    {
        if (size is not { } known)
        {
            return MaxTokens;
        }

        double width = known.Width;
        double height = known.Height;
        double scale = Math.Min(1, Math.Min(MaxLongEdge / Math.Max(width, height), Math.Sqrt(MaxPixels / (width * height))));
        return Math.Min(MaxTokens, (long)Math.Ceiling(width * scale * height * scale / 750));
    }
}
