using System.Text;
using FastBucket.Estimation;
using FastBucket.Estimation.Media;
using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Llm.Tests.Estimation.Media;

/// <summary>Images, PDFs, audio and video charged as each provider documents them, from what the request says.</summary>
public sealed class MediaEstimateTests
{
    private readonly TokenEstimator _estimator = new(new TokenEstimatorOptions(), calibrator: null);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private long OpenAIImageCost(string model, string url, string detail = "high")
    {
        string with = $$$"""{"model":"{{{model}}}","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"{{{url}}}","detail":"{{{detail}}}"}}]}]}""";
        string without = $$$"""{"model":"{{{model}}}","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}""";
        return _estimator.Estimate(LlmProvider.OpenAI, null, Utf8(with)).Cost.InputTokens - _estimator.Estimate(LlmProvider.OpenAI, null, Utf8(without)).Cost.InputTokens;
    }

    [Theory]
    [InlineData("gpt-4o", 85 + (4 * 170))]
    [InlineData("gpt-4.1", 85 + (4 * 170))]
    [InlineData("gpt-4o-mini", 2833 + (4 * 5667))]
    [InlineData("gpt-4o-mini-2024-07-18", 2833 + (4 * 5667))]
    public void Estimate_OpenAIImageOfKnownSize_ChargesTheModelsBasePlusTiles(string model, long expected)
    {
        Assert.Equal(expected, OpenAIImageCost(model, MediaFiles.DataUrl("image/png", MediaFiles.Png(1024, 1024))));
    }

    [Theory]
    [InlineData("gpt-4o", 85)]
    [InlineData("gpt-4o-mini", 2833)]
    public void Estimate_OpenAIImageAtLowDetail_ChargesTheBaseOnly(string model, long expected)
    {
        Assert.Equal(expected, OpenAIImageCost(model, MediaFiles.DataUrl("image/png", MediaFiles.Png(4000, 3000)), "low"));
    }

    [Theory]
    [InlineData(1024, 1024, 4)]
    [InlineData(2048, 4096, 6)] // OpenAI's worked example: 1105 tokens on gpt-4o
    [InlineData(512, 512, 1)]
    [InlineData(100, 3000, 4)]
    [InlineData(768, 2048, 8)]
    public void Tiles_OpenAIScaling_MatchesTheDocumentedSteps(int width, int height, int tiles)
    {
        Assert.Equal(tiles, OpenAIImageTokens.Tiles(new ImageSize(width, height)));
    }

    [Fact]
    public void Estimate_OpenAIImageSizeFromEveryFormat_IsRead()
    {
        long png = OpenAIImageCost("gpt-4o", MediaFiles.DataUrl("image/png", MediaFiles.Png(512, 512)));
        long gif = OpenAIImageCost("gpt-4o", MediaFiles.DataUrl("image/gif", MediaFiles.Gif(512, 512)));
        long jpeg = OpenAIImageCost("gpt-4o", MediaFiles.DataUrl("image/jpeg", MediaFiles.Jpeg(512, 512, metadataBytes: 20_000)));

        Assert.Equal(85 + 170, png);
        Assert.Equal(png, gif);
        Assert.Equal(png, jpeg);
    }

    [Fact]
    public void Estimate_OpenAIImageByUrl_ChargesTheMostTiles()
    {
        Assert.Equal(2833 + (8 * 5667), OpenAIImageCost("gpt-4o-mini", "https://example.com/cat.png"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void Estimate_AnthropicPdf_ChargesPerPage(int pages)
    {
        string body = """{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"DATA"}}]}]}""".Replace("DATA", MediaFiles.Base64(MediaFiles.Pdf(pages)), StringComparison.Ordinal);
        string empty = """{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":[]}]}""";

        long cost = _estimator.Estimate(LlmProvider.Anthropic, null, Utf8(body)).Cost.InputTokens - _estimator.Estimate(LlmProvider.Anthropic, null, Utf8(empty)).Cost.InputTokens;

        Assert.Equal(pages * 3000L, cost);
    }

    [Fact]
    public void Estimate_AnthropicImageOfKnownSize_ChargesPixelsOver750()
    {
        string Body(string data) => """{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"DATA"}}]}]}""".Replace("DATA", data, StringComparison.Ordinal);
        string empty = """{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":[]}]}""";
        long baseline = _estimator.Estimate(LlmProvider.Anthropic, null, Utf8(empty)).Cost.InputTokens;

        Assert.Equal(350, _estimator.Estimate(LlmProvider.Anthropic, null, Utf8(Body(MediaFiles.Base64(MediaFiles.Png(500, 525))))).Cost.InputTokens - baseline);
        Assert.Equal(1534, _estimator.Estimate(LlmProvider.Anthropic, null, Utf8(Body(MediaFiles.Base64(MediaFiles.Png(4000, 4000))))).Cost.InputTokens - baseline);
    }

    private long GeminiPartCost(string part)
    {
        string with = """{"contents":[{"parts":[{"text":"hi"},""" + (part) + """]}]}""";
        const string without = """{"contents":[{"parts":[{"text":"hi"}]}]}""";
        return _estimator.Estimate(LlmProvider.Gemini, "gemini-2.5-flash", Utf8(with)).Cost.InputTokens
            - _estimator.Estimate(LlmProvider.Gemini, "gemini-2.5-flash", Utf8(without)).Cost.InputTokens;
    }

    [Fact]
    public void Estimate_GeminiMedia_ChargedByItsSizeLengthAndPages()
    {
        Assert.Equal(258, GeminiPartCost("""{"inlineData":{"mimeType":"image/png","data":"DATA"}}""".Replace("DATA", MediaFiles.Base64(MediaFiles.Png(300, 300)), StringComparison.Ordinal)));
        Assert.Equal(258 * 4, GeminiPartCost("""{"inlineData":{"mimeType":"image/png","data":"DATA"}}""".Replace("DATA", MediaFiles.Base64(MediaFiles.Png(1000, 1000)), StringComparison.Ordinal)));
        Assert.Equal(258 * 5, GeminiPartCost("""{"inline_data":{"mime_type":"application/pdf","data":"DATA"}}""".Replace("DATA", MediaFiles.Base64(MediaFiles.Pdf(5)), StringComparison.Ordinal)));
        Assert.Equal(10 * (258 + 32), GeminiPartCost("""{"fileData":{"mimeType":"video/mp4","fileUri":"https://generativelanguage.googleapis.com/v1beta/files/abc"},"videoMetadata":{"startOffset":"5s","endOffset":"15s"}}"""));
        Assert.Equal(10 * ((258 * 2) + 32), GeminiPartCost("""{"fileData":{"mimeType":"video/mp4","fileUri":"files/abc"},"videoMetadata":{"startOffset":"0s","endOffset":"10s","fps":2}}"""));
        Assert.Equal(60 * 32, GeminiPartCost("""{"fileData":{"mimeType":"audio/mp3","fileUri":"files/abc"}}"""));
        Assert.Equal(10 * 32, GeminiPartCost("""{"inlineData":{"mimeType":"audio/mp3","data":"DATA"}}""".Replace("DATA", MediaFiles.Base64(new byte[20_000]), StringComparison.Ordinal)));
    }

    [Fact]
    public void Estimate_GeminiLongVideo_CostsMoreThanAShortOne()
    {
        long minute = GeminiPartCost("""{"fileData":{"mimeType":"video/mp4","fileUri":"files/a"},"videoMetadata":{"endOffset":"60s"}}""");
        long hour = GeminiPartCost("""{"fileData":{"mimeType":"video/mp4","fileUri":"files/a"},"videoMetadata":{"endOffset":"3600s"}}""");

        Assert.Equal(60 * minute, hour);
    }

    [Theory]
    [InlineData(LlmProvider.Gemini, true)]
    [InlineData(LlmProvider.OpenAI, false)]
    [InlineData(LlmProvider.Anthropic, false)]
    public void Estimate_TokensPerMinuteCountsInputOnly_OnlyForGemini(LlmProvider provider, bool inputOnly)
    {
        byte[] body = provider == LlmProvider.Gemini
            ? Utf8("""{"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":500}}""")
            : Utf8("""{"model":"m","max_tokens":500,"messages":[{"role":"user","content":"hi"}]}""");

        TokenEstimate estimate = _estimator.Estimate(provider, "m", body);

        Assert.Equal(inputOnly, estimate.TokensPerMinuteCountsInputOnly);
        Assert.Equal(inputOnly, _estimator.Estimate(provider, "m", "not json"u8).TokensPerMinuteCountsInputOnly);
        Assert.Equal(inputOnly, estimate.Cost.TokensPerMinute == TokensPerMinuteCharge.InputOnly);
        Assert.Equal(inputOnly, _estimator.Estimate(provider, "m", "not json"u8).Cost.TokensPerMinute == TokensPerMinuteCharge.InputOnly);
    }
}
