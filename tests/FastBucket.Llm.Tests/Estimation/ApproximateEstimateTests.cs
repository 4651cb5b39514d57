using FastBucket.Estimation;
using FastBucket.Providers;
using Microsoft.ML.Tokenizers;
using static FastBucket.Llm.Tests.Estimation.CookbookExamples;

namespace FastBucket.Llm.Tests.Estimation;

/// <summary>
/// Anthropic and Gemini estimates are approximations. The bands checked here are the published rules of thumb:
/// Anthropic says OpenAI tokenizers undercount Claude text by about 15-20%, so a Claude estimate of plain text lies
/// 15-25% above its o200k count; Google says a Gemini token is about 4 characters, so a Gemini estimate of English
/// prose lies within a quarter of characters / 4.
/// </summary>
public sealed class ApproximateEstimateTests
{
    private const string Prose =
        "The quick brown fox jumps over the lazy dog while the farmer watches from the porch. "
        + "Rate limits protect shared infrastructure, so clients should pace their requests and back off politely "
        + "when the server says it is busy. A careful client estimates what each request will cost before sending it.";

    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private readonly TokenEstimator _estimator = new(new TokenEstimatorOptions(), calibrator: null);

    [Fact]
    public void Estimate_AnthropicPlainText_Lies15To25PercentAboveTheO200kCount()
    {
        byte[] body = Utf8($$"""{"model": "claude-sonnet-4-5", "max_tokens": 10, "messages": [{"role": "user", "content": "{{Prose}}"}]}""");
        int o200k = O200k.CountTokens(Prose);

        TokenEstimate estimate = _estimator.Estimate(LlmProvider.Anthropic, null, body);

        Assert.Equal(TokenEstimateMethod.Approximate, estimate.Method);
        double textShare = estimate.Cost.InputTokens - AnthropicRequestCounter.TokensPerMessage;
        Assert.InRange(textShare / o200k, 1.15, 1.25);
    }

    [Fact]
    public void Estimate_AnthropicSystemStringOrBlocks_CountTheSame()
    {
        byte[] asString = Utf8($$"""{"model": "claude-haiku-4-5", "max_tokens": 10, "system": "{{Prose}}", "messages": [{"role": "user", "content": "hi"}]}""");
        byte[] asBlocks = Utf8($$"""{"model": "claude-haiku-4-5", "max_tokens": 10, "system": [{"type": "text", "text": "{{Prose}}"}], "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]}""");

        long fromString = _estimator.Estimate(LlmProvider.Anthropic, null, asString).Cost.InputTokens;

        Assert.Equal(fromString, _estimator.Estimate(LlmProvider.Anthropic, null, asBlocks).Cost.InputTokens);
        Assert.True(fromString > O200k.CountTokens(Prose));
    }

    [Fact]
    public void Estimate_AnthropicTools_AddTheDocumentedToolSystemPrompt()
    {
        const string tools = """[{"name": "get_weather", "description": "Get the weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]""";
        byte[] none = Utf8("""{"model": "claude-sonnet-4-5", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}""");
        byte[] auto = Utf8($$"""{"model": "claude-sonnet-4-5", "max_tokens": 10, "tools": {{tools}}, "messages": [{"role": "user", "content": "hi"}]}""");
        byte[] forced = Utf8($$"""{"model": "claude-sonnet-4-5", "max_tokens": 10, "tools": {{tools}}, "tool_choice": {"type": "any"}, "messages": [{"role": "user", "content": "hi"}]}""");

        long withoutTools = _estimator.Estimate(LlmProvider.Anthropic, null, none).Cost.InputTokens;
        long withAuto = _estimator.Estimate(LlmProvider.Anthropic, null, auto).Cost.InputTokens;
        long withForced = _estimator.Estimate(LlmProvider.Anthropic, null, forced).Cost.InputTokens;

        // Anthropic's tool-use pricing: 346 tokens of system prompt for auto/none, 313 for any/tool.
        Assert.Equal(346 - 313, withAuto - withForced);
        Assert.True(withAuto - withoutTools > 346);
    }

    [Fact]
    public void Estimate_AnthropicImageAndToolBlocks_AreCounted()
    {
        byte[] textOnly = Utf8("""{"model": "claude-opus-4-1", "max_tokens": 10, "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]}""");
        byte[] withImage = Utf8("""
            {"model": "claude-opus-4-1", "max_tokens": 10, "messages": [{"role": "user", "content": [
              {"type": "text", "text": "hi"},
              {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}]}]}
            """);
        byte[] withToolResult = Utf8("""
            {"model": "claude-opus-4-1", "max_tokens": 10, "messages": [{"role": "user", "content": [
              {"type": "text", "text": "hi"},
              {"type": "tool_result", "tool_use_id": "t1", "content": "It is sunny and warm in San Francisco today."}]}]}
            """);

        long baseline = _estimator.Estimate(LlmProvider.Anthropic, null, textOnly).Cost.InputTokens;

        Assert.Equal(baseline + AnthropicRequestCounter.ImageTokens, _estimator.Estimate(LlmProvider.Anthropic, null, withImage).Cost.InputTokens);
        Assert.True(_estimator.Estimate(LlmProvider.Anthropic, null, withToolResult).Cost.InputTokens > baseline + 5);
    }

    [Fact]
    public void Estimate_GeminiEnglishProse_LiesWithinAQuarterOfFourCharactersPerToken()
    {
        byte[] body = Utf8($$"""{"contents": [{"role": "user", "parts": [{"text": "{{Prose}}"}]}]}""");
        double rule = Prose.Length / 4.0;

        TokenEstimate estimate = _estimator.Estimate(LlmProvider.Gemini, "gemini-2.5-flash", body);

        Assert.Equal(TokenEstimateMethod.Approximate, estimate.Method);
        Assert.InRange(estimate.Cost.InputTokens / rule, 0.75, 1.25);
    }

    [Fact]
    public void Estimate_GeminiSystemInstructionAndSnakeCase_CountTheSame()
    {
        byte[] camel = Utf8($$"""{"systemInstruction": {"parts": [{"text": "{{Prose}}"}]}, "contents": [{"role": "user", "parts": [{"text": "hi"}]}]}""");
        byte[] snake = Utf8($$"""{"system_instruction": {"parts": [{"text": "{{Prose}}"}]}, "contents": [{"role": "user", "parts": [{"text": "hi"}]}]}""");
        byte[] without = Utf8("""{"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}""");

        long withCamel = _estimator.Estimate(LlmProvider.Gemini, "gemini-2.5-pro", camel).Cost.InputTokens;

        Assert.Equal(withCamel, _estimator.Estimate(LlmProvider.Gemini, "gemini-2.5-pro", snake).Cost.InputTokens);
        Assert.True(withCamel - _estimator.Estimate(LlmProvider.Gemini, "gemini-2.5-pro", without).Cost.InputTokens >= O200k.CountTokens(Prose));
    }

    [Fact]
    public void Estimate_GeminiInlineImageOfUnknownSize_AddsFourImageTiles()
    {
        byte[] text = Utf8("""{"contents": [{"parts": [{"text": "hi"}]}]}""");
        byte[] image = Utf8("""{"contents": [{"parts": [{"text": "hi"}, {"inlineData": {"mimeType": "image/png", "data": "AAAA"}}]}]}""");

        long difference = _estimator.Estimate(LlmProvider.Gemini, "gemini-2.5-flash", image).Cost.InputTokens
            - _estimator.Estimate(LlmProvider.Gemini, "gemini-2.5-flash", text).Cost.InputTokens;

        // "AAAA" is no image format: its size is unknown, so the documented default of 4 tiles applies.
        Assert.Equal(4 * GeminiRequestCounter.MediaTokens, difference);
    }

    [Fact]
    public void Estimate_ClaudeThroughOpenRouter_UsesTheClaudeFactor()
    {
        byte[] body = Utf8($$"""{"model": "anthropic/claude-sonnet-4.5", "messages": [{"role": "user", "content": "{{Prose}}"}]}""");
        int o200k = O200k.CountTokens(Prose);

        TokenEstimate estimate = _estimator.Estimate(LlmProvider.OpenRouter, null, body);

        Assert.Equal(TokenEstimateMethod.Approximate, estimate.Method);
        Assert.InRange(estimate.Cost.InputTokens, (long)(o200k * 1.15), (long)(o200k * 1.25) + 20);
    }
}
