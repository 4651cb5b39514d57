using FastBucket.Estimation;
using FastBucket.Providers;
using FsCheck.Xunit;
using static FastBucket.Llm.Tests.Estimation.CookbookExamples;

namespace FastBucket.Llm.Tests.Estimation;

public sealed class FallbackEstimateTests
{
    private readonly TokenEstimator _estimator = new(new TokenEstimatorOptions(), new TokenEstimateCalibrator());

    public static TheoryData<string> MalformedBodies => new()
    {
        "",
        "not json at all",
        "{\"model\": \"gpt-4o\", \"messages\": [",
        "[1, 2, 3]",
        "\"just a string\"",
        "{\"model\": \"gpt-4o\"}",
        "{\"model\": \"gpt-4o\", \"messages\": []} {\"second\": true}",
        "{\"model\": \"gpt-4o\", \"messages\": [], }",
        new string('[', 200) + new string(']', 200),
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public void Estimate_MalformedBody_ChargesBytesOverThreeAndTheDefaultOutput(string body)
    {
        byte[] bytes = Utf8(body);

        TokenEstimate estimate = _estimator.Estimate(LlmProvider.OpenAI, "gpt-4o", bytes);

        Assert.Equal(TokenEstimateMethod.Fallback, estimate.Method);
        Assert.Equal(1, estimate.Cost.Requests);
        Assert.Equal((bytes.Length + 2) / 3, estimate.Cost.InputTokens);
        Assert.Equal(1024, estimate.Cost.OutputTokens);
    }

    [Fact]
    public void Estimate_InvalidUtf8_FallsBack()
    {
        byte[] bytes = [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'];

        Assert.Equal(TokenEstimateMethod.Fallback, _estimator.Estimate(LlmProvider.Anthropic, null, bytes).Method);
    }

    [Fact]
    public void Reconcile_FallbackEstimate_TeachesNothing()
    {
        var calibrator = new TokenEstimateCalibrator();
        var estimator = new TokenEstimator(new TokenEstimatorOptions(), calibrator);
        TokenEstimate estimate = estimator.Estimate(LlmProvider.Anthropic, "claude-haiku-4-5", Utf8("garbage garbage garbage"));

        estimator.Reconcile(estimate, new FastBucket.Quotas.TokenUsage(10_000, 5));

        Assert.Equal(1.0, calibrator.GetRatio(LlmProvider.Anthropic, "claude-haiku-4-5"));
    }

    [Property(MaxTest = 300)]
    public bool Estimate_AnyBytes_NeverThrowsAndChargesOneRequest(byte[] body, bool anthropic)
    {
        LlmProvider provider = anthropic ? LlmProvider.Anthropic : LlmProvider.OpenAI;
        TokenEstimate estimate = _estimator.Estimate(provider, null, body ?? []);
        return estimate.Cost.Requests == 1 && estimate.Cost.InputTokens >= 0 && estimate.Cost.OutputTokens >= 0;
    }

    [Property(MaxTest = 200)]
    public bool Estimate_AnyTruncationOfAValidBody_NeverThrows(int cut)
    {
        byte[] body = WeatherChatBody("gpt-4o");
        int length = (int)((uint)cut % (uint)(body.Length + 1));
        TokenEstimate estimate = _estimator.Estimate(LlmProvider.OpenAI, null, body.AsSpan(0, length));
        return estimate.Cost.Requests == 1 && estimate.Cost.InputTokens >= 0;
    }
}
