using FastBucket.Estimation;
using FastBucket.Providers;
using FastBucket.Quotas;
using FsCheck.Xunit;
using static FastBucket.Llm.Tests.Estimation.CookbookExamples;

namespace FastBucket.Llm.Tests.Estimation;

public sealed class TokenEstimateCalibratorTests
{
    [Fact]
    public void GetRatio_NothingObserved_IsOne() =>
        Assert.Equal(1.0, new TokenEstimateCalibrator().GetRatio(LlmProvider.Anthropic, "claude-sonnet-4-5"));

    [Fact]
    public void Observe_OneSample_MovesBySmoothingTowardTheSample()
    {
        var calibrator = new TokenEstimateCalibrator(0.25);

        calibrator.Observe(LlmProvider.Anthropic, "claude-sonnet-4-5", 100, 180);

        Assert.Equal(1.0 + (0.25 * (1.8 - 1.0)), calibrator.GetRatio(LlmProvider.Anthropic, "claude-sonnet-4-5"), 12);
    }

    // Law: with a steady true ratio r in the clamp range, the learned ratio converges to r, and each sample moves it
    // no further from r.
    [Property(MaxTest = 200)]
    public bool Observe_SteadyRatio_ConvergesMonotonicallyToIt(ushort ratioSeed, ushort estimateSeed)
    {
        double trueRatio = TokenEstimateCalibrator.MinRatio + (ratioSeed % 1501 / 1000.0);
        long estimated = 1_000 + estimateSeed;
        long actual = (long)Math.Round(estimated * trueRatio);
        // Rounding can put the observed ratio a hair outside the range; the calibrator clamps it.
        double sampled = Math.Clamp((double)actual / estimated, TokenEstimateCalibrator.MinRatio, TokenEstimateCalibrator.MaxRatio);
        var calibrator = new TokenEstimateCalibrator();

        double previousDistance = Math.Abs(1.0 - sampled);
        for (int i = 0; i < 80; i++)
        {
            calibrator.Observe(LlmProvider.Gemini, "gemini-2.5-flash", estimated, actual);
            double distance = Math.Abs(calibrator.GetRatio(LlmProvider.Gemini, "gemini-2.5-flash") - sampled);
            if (distance > previousDistance + 1e-12)
            {
                return false;
            }

            previousDistance = distance;
        }

        return previousDistance < 1e-6;
    }

    // Law: whatever is observed (zero, negative, huge), the ratio stays within [MinRatio, MaxRatio].
    [Property(MaxTest = 300)]
    public bool Observe_AnySamples_KeepsTheRatioWithinBounds(long[] samples)
    {
        var calibrator = new TokenEstimateCalibrator(0.5);
        samples ??= [];
        for (int i = 0; i + 1 < samples.Length; i += 2)
        {
            calibrator.Observe(LlmProvider.Anthropic, "m", samples[i], samples[i + 1]);
            double ratio = calibrator.GetRatio(LlmProvider.Anthropic, "m");
            if (ratio is < TokenEstimateCalibrator.MinRatio or > TokenEstimateCalibrator.MaxRatio)
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public void Observe_RatioBeyondTheBounds_ConvergesToTheBound()
    {
        var calibrator = new TokenEstimateCalibrator();

        for (int i = 0; i < 100; i++)
        {
            calibrator.Observe(LlmProvider.Anthropic, "up", 100, 10_000);
            calibrator.Observe(LlmProvider.Anthropic, "down", 10_000, 100);
        }

        Assert.Equal(TokenEstimateCalibrator.MaxRatio, calibrator.GetRatio(LlmProvider.Anthropic, "up"), 6);
        Assert.Equal(TokenEstimateCalibrator.MinRatio, calibrator.GetRatio(LlmProvider.Anthropic, "down"), 6);
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(100, 0)]
    [InlineData(-5, 100)]
    [InlineData(100, -5)]
    public void Observe_NonPositiveCounts_AreIgnored(long estimated, long actual)
    {
        var calibrator = new TokenEstimateCalibrator();

        calibrator.Observe(LlmProvider.Gemini, "g", estimated, actual);

        Assert.Equal(1.0, calibrator.GetRatio(LlmProvider.Gemini, "g"));
    }

    [Fact]
    public void GetRatio_ModelLetterCase_IsIgnored()
    {
        var calibrator = new TokenEstimateCalibrator(1.0);

        calibrator.Observe(LlmProvider.Anthropic, "Claude-Sonnet-4-5", 100, 150);

        Assert.Equal(1.5, calibrator.GetRatio(LlmProvider.Anthropic, "claude-sonnet-4-5"));
        Assert.Equal(1.0, calibrator.GetRatio(LlmProvider.OpenRouter, "claude-sonnet-4-5"));
    }

    [Fact]
    public void Calibrate_ByMethod_ScalesApproximateBothWaysAndExactOnlyUp()
    {
        var calibrator = new TokenEstimateCalibrator(1.0);
        calibrator.Observe(LlmProvider.Anthropic, "low", 100, 80);
        calibrator.Observe(LlmProvider.Anthropic, "high", 100, 130);

        Assert.Equal(80, calibrator.Calibrate(LlmProvider.Anthropic, "low", 100, TokenEstimateMethod.Approximate));
        Assert.Equal(100, calibrator.Calibrate(LlmProvider.Anthropic, "low", 100, TokenEstimateMethod.Exact));
        Assert.Equal(130, calibrator.Calibrate(LlmProvider.Anthropic, "high", 100, TokenEstimateMethod.Exact));
        Assert.Equal(130, calibrator.Calibrate(LlmProvider.Anthropic, "high", 100, TokenEstimateMethod.Approximate));
        Assert.Equal(100, calibrator.Calibrate(LlmProvider.Anthropic, "high", 100, TokenEstimateMethod.Fallback));
    }

    [Fact]
    public void Observe_BeyondMaxTrackedModels_LeavesNewModelsUncalibrated()
    {
        var calibrator = new TokenEstimateCalibrator(1.0);
        for (int i = 0; i < TokenEstimateCalibrator.MaxTrackedModels; i++)
        {
            calibrator.Observe(LlmProvider.Generic, $"model-{i}", 100, 150);
        }

        calibrator.Observe(LlmProvider.Generic, "one-too-many", 100, 150);

        Assert.Equal(1.5, calibrator.GetRatio(LlmProvider.Generic, "model-0"));
        Assert.Equal(1.0, calibrator.GetRatio(LlmProvider.Generic, "one-too-many"));
    }

    [Fact]
    public async Task Observe_FromManyThreads_ConvergesAndStaysInBounds()
    {
        var calibrator = new TokenEstimateCalibrator();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 2_000; i++)
            {
                calibrator.Observe(LlmProvider.Anthropic, "shared", 1000, 1300);
            }
        })));

        Assert.Equal(1.3, calibrator.GetRatio(LlmProvider.Anthropic, "shared"), 6);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void Constructor_SmoothingOutsideZeroToOne_Throws(double smoothing) =>
        Assert.Throws<ArgumentOutOfRangeException>("smoothing", () => new TokenEstimateCalibrator(smoothing));

    [Fact]
    public void Reconcile_AnthropicUsageAboveEstimate_RaisesLaterEstimates()
    {
        var estimator = new TokenEstimator(new TokenEstimatorOptions { ColdStartInputMargin = 0 }, new TokenEstimateCalibrator(1.0));
        byte[] body = Utf8("""{"model": "claude-sonnet-4-5", "max_tokens": 10, "messages": [{"role": "user", "content": "How many tokens is this?"}]}""");
        TokenEstimate first = estimator.Estimate(LlmProvider.Anthropic, null, body);

        long actual = first.UncalibratedInputTokens * 3 / 2;
        estimator.Reconcile(first, new TokenUsage(actual, 4));
        TokenEstimate second = estimator.Estimate(LlmProvider.Anthropic, null, body);

        Assert.Equal(first.UncalibratedInputTokens, second.UncalibratedInputTokens);
        Assert.Equal(actual, second.Cost.InputTokens);
    }

    [Fact]
    public void Reconcile_OpenAIUsageBelowExactCount_NeverLowersIt()
    {
        var estimator = new TokenEstimator(new TokenEstimatorOptions { ColdStartInputMargin = 0 }, new TokenEstimateCalibrator(1.0));
        TokenEstimate first = estimator.Estimate(LlmProvider.OpenAI, null, JargonChatBody("gpt-4o"));

        estimator.Reconcile(first, new TokenUsage(62, 1));

        Assert.Equal(124, estimator.Estimate(LlmProvider.OpenAI, null, JargonChatBody("gpt-4o")).Cost.InputTokens);
    }

    [Fact]
    public void Reconcile_OpenAIUsageAboveExactCount_RaisesIt()
    {
        var estimator = new TokenEstimator(new TokenEstimatorOptions { ColdStartInputMargin = 0 }, new TokenEstimateCalibrator(1.0));
        TokenEstimate first = estimator.Estimate(LlmProvider.OpenAI, null, JargonChatBody("gpt-4o"));

        estimator.Reconcile(first, new TokenUsage(186, 1));

        Assert.Equal(186, estimator.Estimate(LlmProvider.OpenAI, null, JargonChatBody("gpt-4o")).Cost.InputTokens);
    }

    [Fact]
    public void Estimate_NoUsageSeenYet_CarriesTheColdStartMarginUntilTenSamples()
    {
        var calibrator = new TokenEstimateCalibrator(1.0);
        var estimator = new TokenEstimator(new TokenEstimatorOptions { ColdStartInputMargin = 0.25 }, calibrator);
        TokenEstimate cold = estimator.Estimate(LlmProvider.OpenAI, null, JargonChatBody("gpt-4o"));
        Assert.Equal(124, cold.UncalibratedInputTokens);
        Assert.Equal(155, cold.Cost.InputTokens); // 124 x 1.25

        for (int i = 0; i < TokenEstimatorOptions.ColdStartObservations - 1; i++)
        {
            estimator.Reconcile(cold, new TokenUsage(124, 1));
        }

        Assert.Equal(155, estimator.Estimate(LlmProvider.OpenAI, null, JargonChatBody("gpt-4o")).Cost.InputTokens);
        estimator.Reconcile(cold, new TokenUsage(124, 1));
        Assert.Equal(124, estimator.Estimate(LlmProvider.OpenAI, null, JargonChatBody("gpt-4o")).Cost.InputTokens);
    }

    [Fact]
    public void Estimate_WithoutCalibrator_NoColdStartMargin()
    {
        var estimator = new TokenEstimator(new TokenEstimatorOptions { ColdStartInputMargin = 1 }, calibrator: null);
        Assert.Equal(124, estimator.Estimate(LlmProvider.OpenAI, null, JargonChatBody("gpt-4o")).Cost.InputTokens);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void ColdStartInputMargin_OutsideZeroToOne_Throws(double margin) =>
        Assert.Throws<ArgumentOutOfRangeException>("value", () => new TokenEstimatorOptions { ColdStartInputMargin = margin });
}
