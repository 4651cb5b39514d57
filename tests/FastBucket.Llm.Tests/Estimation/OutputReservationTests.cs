using FastBucket.Estimation;
using FastBucket.Providers;
using static FastBucket.Llm.Tests.Estimation.CookbookExamples;

namespace FastBucket.Llm.Tests.Estimation;

public sealed class OutputReservationTests
{
    private readonly TokenEstimator _estimator = new(new TokenEstimatorOptions(), calibrator: null);

    [Theory]
    [InlineData("\"max_tokens\": 100", 100)]
    [InlineData("\"max_tokens\": 100, \"n\": 3", 300)]
    [InlineData("\"max_completion_tokens\": 200, \"max_tokens\": 100", 200)]
    [InlineData("\"max_completion_tokens\": 200, \"n\": 2", 400)]
    [InlineData("\"max_tokens\": 100.0", 100)]
    [InlineData("\"n\": 2", 2048)]
    [InlineData("\"max_tokens\": 0", 0)]
    public void Estimate_ChatLimits_ReserveLimitTimesChoices(string fields, long expected)
    {
        byte[] body = Utf8($$"""{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], {{fields}}}""");

        Assert.Equal(expected, _estimator.Estimate(LlmProvider.OpenAI, null, body).Cost.OutputTokens);
    }

    [Theory]
    [InlineData("\"max_tokens\": -5")]
    [InlineData("\"max_tokens\": \"lots\"")]
    [InlineData("\"max_tokens\": 12.5")]
    [InlineData("\"max_tokens\": null")]
    [InlineData("\"max_tokens\": 1e400")]
    public void Estimate_UnusableLimit_ReservesTheDefault(string fields)
    {
        byte[] body = Utf8($$"""{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], {{fields}}}""");

        Assert.Equal(1024, _estimator.Estimate(LlmProvider.OpenAI, null, body).Cost.OutputTokens);
    }

    [Fact]
    public void Estimate_NoLimit_ReservesTheConfiguredDefaultPerChoice()
    {
        var estimator = new TokenEstimator(new TokenEstimatorOptions { DefaultOutputTokens = 50 }, calibrator: null);
        byte[] body = Utf8("""{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "n": 3}""");

        Assert.Equal(150, estimator.Estimate(LlmProvider.OpenAI, null, body).Cost.OutputTokens);
    }

    [Fact]
    public void Estimate_ChoicesBeyondOpenAIsMaximum_AreCappedAt128()
    {
        byte[] body = Utf8("""{"model": "gpt-4o", "messages": [], "max_tokens": 10, "n": 100000}""");

        Assert.Equal(1280, _estimator.Estimate(LlmProvider.OpenAI, null, body).Cost.OutputTokens);
    }

    [Fact]
    public void Estimate_HugeLimit_IsCappedAtMaxOutputTokens()
    {
        byte[] body = Utf8("""{"model": "gpt-4o", "messages": [], "max_tokens": 9000000000000, "n": 128}""");

        Assert.Equal(TokenEstimatorOptions.MaxOutputTokens, _estimator.Estimate(LlmProvider.OpenAI, null, body).Cost.OutputTokens);
    }

    [Fact]
    public void Estimate_ResponsesMaxOutputTokens_IsReserved()
    {
        byte[] body = Utf8("""{"model": "gpt-5", "input": "hi", "max_output_tokens": 777}""");

        Assert.Equal(777, _estimator.Estimate(LlmProvider.OpenAI, null, body).Cost.OutputTokens);
    }

    [Fact]
    public void Estimate_AnthropicMaxTokens_IsReserved()
    {
        byte[] body = Utf8("""{"model": "claude-sonnet-4-5", "max_tokens": 4096, "messages": [{"role": "user", "content": "hi"}]}""");

        Assert.Equal(4096, _estimator.Estimate(LlmProvider.Anthropic, null, body).Cost.OutputTokens);
    }

    [Theory]
    [InlineData("\"generationConfig\": {\"maxOutputTokens\": 300, \"candidateCount\": 2}", 600)]
    [InlineData("\"generation_config\": {\"max_output_tokens\": 300, \"candidate_count\": 3}", 900)]
    [InlineData("\"generationConfig\": {\"temperature\": 0.2}", 1024)]
    [InlineData("\"generationConfig\": {\"candidateCount\": 2}", 2048)]
    public void Estimate_GeminiGenerationConfig_ReservesMaxOutputTimesCandidates(string config, long expected)
    {
        byte[] body = Utf8($$"""{"contents": [{"role": "user", "parts": [{"text": "hi"}]}], {{config}}}""");

        Assert.Equal(expected, _estimator.Estimate(LlmProvider.Gemini, "gemini-2.5-flash", body).Cost.OutputTokens);
    }

    [Fact]
    public void Estimate_GeminiEmbedContent_ReservesNoOutput()
    {
        byte[] body = Utf8("""{"model": "models/text-embedding-004", "content": {"parts": [{"text": "hello world"}]}}""");

        TokenEstimate estimate = _estimator.Estimate(LlmProvider.Gemini, null, body);

        Assert.Equal(0, estimate.Cost.OutputTokens);
        Assert.True(estimate.Cost.InputTokens > 0);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(TokenEstimatorOptions.MaxOutputTokens + 1)]
    public void DefaultOutputTokens_OutOfRange_Throws(int value)
    {
        var options = new TokenEstimatorOptions();

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => options.DefaultOutputTokens = value);
        Assert.Equal("value", error.ParamName);
    }

    [Fact]
    public void Constructor_NullOptions_Throws() =>
        Assert.Throws<ArgumentNullException>("options", () => new TokenEstimator(null!, null));
}
