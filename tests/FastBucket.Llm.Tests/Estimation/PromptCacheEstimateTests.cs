using System.Text;
using FastBucket.Estimation;
using FastBucket.Providers;
using FastBucket.Quotas;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Estimation;

/// <summary>Anthropic prompt caching: a cached prefix is read, not charged to ITPM, once the provider holds it.</summary>
public sealed class PromptCacheEstimateTests
{
    private static readonly string LongPrefix = string.Join(' ', Enumerable.Repeat("The quick brown fox jumps over the lazy dog near the riverbank.", 400));

    private static byte[] Request(string question, string ttl = "") => Encoding.UTF8.GetBytes(
        """{"model":"claude-sonnet-4-5","max_tokens":100,"system":[{"type":"text","text":"PREFIX","cache_control":{"type":"ephemeral"TTL}}],"messages":[{"role":"user","content":"QUESTION"}]}"""
            .Replace("PREFIX", LongPrefix, StringComparison.Ordinal)
            .Replace("TTL", ttl, StringComparison.Ordinal)
            .Replace("QUESTION", question, StringComparison.Ordinal));

    [Fact]
    public void Estimate_PrefixAnsweredBefore_IsLeftOutOfTheInputCharge()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var estimator = new TokenEstimator(new TokenEstimatorOptions { TimeProvider = time }, calibrator: null);

        TokenEstimate first = estimator.Estimate(LlmProvider.Anthropic, null, Request("What is it?"));
        estimator.Reconcile(first, new TokenUsage(first.Cost.InputTokens, 20));
        TokenEstimate second = estimator.Estimate(LlmProvider.Anthropic, null, Request("And what else?"));

        // The first request writes the cache (charged, as Anthropic charges writes to ITPM); the next reads it.
        Assert.Equal(0, first.CachedInputTokens);
        Assert.True(first.Cost.InputTokens > 5_000, first.ToString());
        Assert.True(second.CachedInputTokens > 5_000, second.ToString());
        Assert.InRange(second.Cost.InputTokens, 1, 50);
    }

    [Fact]
    public void Estimate_PrefixTimeToLivePassed_IsChargedAgain()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var estimator = new TokenEstimator(new TokenEstimatorOptions { TimeProvider = time }, calibrator: null);
        TokenEstimate first = estimator.Estimate(LlmProvider.Anthropic, null, Request("Q1"));
        estimator.Reconcile(first, new TokenUsage(first.Cost.InputTokens, 20));

        time.Advance(TimeSpan.FromMinutes(4));
        TokenEstimate warm = estimator.Estimate(LlmProvider.Anthropic, null, Request("Q1"));
        estimator.Reconcile(warm, new TokenUsage(warm.Cost.InputTokens, 20)); // a read refreshes the time to live
        time.Advance(TimeSpan.FromMinutes(4));
        TokenEstimate stillWarm = estimator.Estimate(LlmProvider.Anthropic, null, Request("Q1"));
        time.Advance(TimeSpan.FromMinutes(6));
        TokenEstimate cold = estimator.Estimate(LlmProvider.Anthropic, null, Request("Q1"));

        Assert.True(warm.CachedInputTokens > 0);
        Assert.True(stillWarm.CachedInputTokens > 0);
        Assert.Equal(0, cold.CachedInputTokens);
        Assert.Equal(first.Cost.InputTokens, cold.Cost.InputTokens);
    }

    [Fact]
    public void Estimate_OneHourTimeToLive_StaysWarmPastFiveMinutes()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var estimator = new TokenEstimator(new TokenEstimatorOptions { TimeProvider = time }, calibrator: null);
        TokenEstimate first = estimator.Estimate(LlmProvider.Anthropic, null, Request("Q", ttl: ",\"ttl\":\"1h\""));
        estimator.Reconcile(first, new TokenUsage(first.Cost.InputTokens, 20));

        time.Advance(TimeSpan.FromMinutes(30));

        Assert.True(estimator.Estimate(LlmProvider.Anthropic, null, Request("Q", ttl: ",\"ttl\":\"1h\"")).CachedInputTokens > 0);
    }

    [Fact]
    public void Estimate_DifferentPrefixOrTooShortPrefix_IsNotTakenAsCached()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var estimator = new TokenEstimator(new TokenEstimatorOptions { TimeProvider = time }, calibrator: null);
        byte[] shortPrefix = """{"model":"claude-sonnet-4-5","max_tokens":10,"system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"hi"}]}"""u8.ToArray();
        TokenEstimate small = estimator.Estimate(LlmProvider.Anthropic, null, shortPrefix);
        estimator.Reconcile(small, new TokenUsage(small.Cost.InputTokens, 5));
        TokenEstimate first = estimator.Estimate(LlmProvider.Anthropic, null, Request("Q"));
        estimator.Reconcile(first, new TokenUsage(first.Cost.InputTokens, 5));

        byte[] changed = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Request("Q")).Replace("lazy dog", "lazy cat", StringComparison.Ordinal));

        Assert.Equal(0, estimator.Estimate(LlmProvider.Anthropic, null, shortPrefix).CachedInputTokens);
        Assert.Equal(0, estimator.Estimate(LlmProvider.Anthropic, null, changed).CachedInputTokens);
        Assert.Equal(0, estimator.Estimate(LlmProvider.Anthropic, "claude-opus-4-1", Request("Q")).CachedInputTokens);
    }

    [Fact]
    public void Reconcile_CachedPrefixRequests_DoNotTeachTheCalibrator()
    {
        var calibrator = new TokenEstimateCalibrator();
        var estimator = new TokenEstimator(new TokenEstimatorOptions(), calibrator);
        TokenEstimate first = estimator.Estimate(LlmProvider.Anthropic, null, Request("Q"));

        // A cache hit reports a tiny input: not a sign that every estimate for the model is 50x too high.
        estimator.Reconcile(first, new TokenUsage(50, 20));

        Assert.Equal(1.0, calibrator.GetRatio(LlmProvider.Anthropic, "claude-sonnet-4-5"));
    }
}
