using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Quotas.Windows;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas.Windows;

public sealed class QuotaWindowingTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 15, 12, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(LlmProvider.Anthropic, typeof(BucketWindow))]
    [InlineData(LlmProvider.OpenAI, typeof(LogWindow))]
    [InlineData(LlmProvider.AzureOpenAI, typeof(LogWindow))]
    [InlineData(LlmProvider.Gemini, typeof(ShapeLearningWindow))]
    [InlineData(LlmProvider.OpenRouter, typeof(ShapeLearningWindow))]
    [InlineData(LlmProvider.Groq, typeof(ShapeLearningWindow))]
    [InlineData(LlmProvider.Generic, typeof(ShapeLearningWindow))]
    public void For_PerMinuteLimit_ContinuousBucketWhereDocumentedLearnedWhereUnknown(LlmProvider provider, Type expected)
    {
        using var window = QuotaWindowing.For(provider).CreateWindow(QuotaDimension.RequestsPerMinute, 600, _time, 0);
        Assert.IsType(expected, window);
    }

    [Fact]
    public void For_OpenAI_StartsWithOneSecondBursts()
    {
        using var window = QuotaWindowing.For(LlmProvider.OpenAI).CreateWindow(QuotaDimension.RequestsPerMinute, 600, _time, 0);
        Assert.Equal(10, window.TakeAll(1));
    }

    [Fact]
    public void For_Gemini_DaysEndAtMidnightPacific()
    {
        using var window = QuotaWindowing.For(LlmProvider.Gemini).CreateWindow(QuotaDimension.RequestsPerDay, 250, _time, 0);
        Assert.IsType<CalendarWindow>(window);
        Assert.Equal(new DateTimeOffset(2026, 6, 16, 7, 0, 0, TimeSpan.Zero), window.NextReset); // midnight PDT
        window.Exhaust();
        Assert.Equal(TimeSpan.FromHours(19), window.TimeUntil(1));
    }

    [Fact]
    public void For_OpenRouter_DaysEndAtMidnightUtc()
    {
        using var window = QuotaWindowing.For(LlmProvider.OpenRouter).CreateWindow(QuotaDimension.RequestsPerDay, 50, _time, 0);
        Assert.Equal(new DateTimeOffset(2026, 6, 16, 0, 0, 0, TimeSpan.Zero), window.NextReset);
    }

    [Fact]
    public void For_UnknownDays_AtMostTheLimitInAny24Hours()
    {
        using var window = QuotaWindowing.For(LlmProvider.OpenAI).CreateWindow(QuotaDimension.RequestsPerDay, 100, _time, 0);
        Assert.True(window.TryTake(100, out _));
        _time.Advance(TimeSpan.FromHours(23));
        Assert.False(window.TryTake(1, out _));
        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.True(window.TryTake(100, out _));
    }

    [Fact]
    public void CreateWindow_LogTicket_AdjustsTheRightCharge()
    {
        using var window = QuotaWindowing.For(LlmProvider.Groq).CreateWindow(QuotaDimension.TokensPerMinute, 6_000, _time, 0);
        Assert.True(window.TryTake(900, out long ticket));
        window.Adjust(ticket, -800);
        // Tokens burst from a refilling bucket: 1,000 per 10 s less the 250 ms margin's 25, 100 of it used.
        Assert.Equal(875, window.Available);
    }

    [Fact]
    public void For_AzureOpenAI_RequestsInOneSecondBurstsTokensAWholeMinute()
    {
        // Requests "over 1 or 10 seconds"; tokens "a running token count ... reset each minute".
        var azure = QuotaWindowing.For(LlmProvider.AzureOpenAI);
        using var requests = azure.CreateWindow(QuotaDimension.RequestsPerMinute, 360, _time, 0);
        using var tokens = azure.CreateWindow(QuotaDimension.TokensPerMinute, 60_000, _time, 0);

        Assert.Equal(6, requests.TakeAll(1));
        Assert.Equal(60_000, tokens.TakeAll(1_000));
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, tokens.TakeAll(1_000)); // at most the limit in any minute
        _time.Advance(TimeSpan.FromSeconds(1.25));
        Assert.Equal(60_000, tokens.TakeAll(1_000));
    }

    [Fact]
    public void Validate_TokenBurstPeriodOutOfRange_NamesIt()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new QuotaWindowing { TokenBurstPeriod = TimeSpan.FromMinutes(2) }.Validate());
        Assert.Equal("TokenBurstPeriod", error.ParamName);
    }

    [Fact]
    public void Validate_BurstPeriodOutOfRange_NamesIt()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new QuotaWindowing { BurstPeriod = TimeSpan.FromMilliseconds(10) }.Validate());
        Assert.Equal("BurstPeriod", error.ParamName);
        Assert.Equal("ExpiryMargin", Assert.Throws<ArgumentOutOfRangeException>(() => new QuotaWindowing { ExpiryMargin = TimeSpan.FromMinutes(1) }.Validate()).ParamName);
    }

    [Fact]
    public void Continuous_EveryLimit_IsATokenBucket()
    {
        using var minute = QuotaWindowing.Continuous.CreateWindow(QuotaDimension.RequestsPerMinute, 600, _time, 0);
        using var day = QuotaWindowing.Continuous.CreateWindow(QuotaDimension.RequestsPerDay, 600, _time, 0);
        Assert.IsType<BucketWindow>(minute);
        Assert.IsType<BucketWindow>(day);
        Assert.Equal(600.0 / 86_400, day.TokensPerSecond, 9);
    }

    [Fact]
    public void Pacific_HasDaylightSaving()
    {
        Assert.True(QuotaWindowing.Pacific.SupportsDaylightSavingTime);
        Assert.Equal(TimeSpan.FromHours(-7), QuotaWindowing.Pacific.GetUtcOffset(new DateTime(2026, 7, 1)));
    }
}
