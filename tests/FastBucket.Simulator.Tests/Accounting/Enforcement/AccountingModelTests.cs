using FastBucket.Simulator.Accounting;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Simulator.Tests.Accounting.Enforcement;

/// <summary>Every enforcement kind, settlement policy and refused-request charge, through <see cref="RateLimitAccount"/> on a fake clock.</summary>
public sealed class AccountingModelTests
{
    private static readonly RequestCharge OneRequest = new(1, 0, 0, 0);

    [Fact]
    public void Quantized_OneSecondOfSixtyRpm_AdmitsOneAtOnceThenOnePerSecond()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 0, 500, TimeSpan.Zero));
        RateLimitAccount account = Account(time, "rpm=60", RateLimitDimension.RequestsPerMinute, new DimensionAccounting { Enforcement = EnforcementKind.Quantized, Period = TimeSpan.FromSeconds(1) });

        Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
        AdmissionDecision refused = account.TryAdmit(OneRequest);

        // The minute's bucket still holds 59: the one-second quantum is what refuses.
        Assert.False(refused.IsAdmitted);
        Assert.Equal(1, refused.RetryAfter!.Value.TotalSeconds, 6);
        time.Advance(refused.RetryAfter.Value);
        Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
    }

    [Fact]
    public void Quantized_ChargeLargerThanTheQuantum_AdmittedWhenFullThenRepaidAtTheRate()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));
        RateLimitAccount account = Account(time, "tpm=600", RateLimitDimension.TokensPerMinute, new DimensionAccounting { Enforcement = EnforcementKind.Quantized, Period = TimeSpan.FromSeconds(1) });

        // The quantum holds 10 tokens; 50 pass because it is full, leaving it 40 in debt.
        Assert.True(account.TryAdmit(new RequestCharge(1, 50, 0, 0)).IsAdmitted);
        AdmissionDecision refused = account.TryAdmit(new RequestCharge(1, 10, 0, 0));

        Assert.False(refused.IsAdmitted);
        Assert.Equal(5, refused.RetryAfter!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void FixedWindow_TenSeconds_AllowsASixthOfTheMinuteAndRefillsAtTheClockEdge()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 7, TimeSpan.Zero));
        RateLimitAccount account = Account(time, "rpm=60", RateLimitDimension.RequestsPerMinute, new DimensionAccounting { Enforcement = EnforcementKind.FixedWindow, Period = TimeSpan.FromSeconds(10) });

        for (int i = 0; i < 10; i++)
        {
            Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
        }

        AdmissionDecision refused = account.TryAdmit(OneRequest);
        Assert.False(refused.IsAdmitted);
        Assert.Equal(3, refused.RetryAfter!.Value.TotalSeconds, 6);

        // One tick before the edge the window is still full; at the edge (10:00:10) the next ten pass: 20 in 3 s.
        time.Advance(TimeSpan.FromSeconds(3) - TimeSpan.FromTicks(1));
        Assert.False(account.TryAdmit(OneRequest).IsAdmitted);
        time.Advance(TimeSpan.FromTicks(1));
        for (int i = 0; i < 10; i++)
        {
            Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
        }

        Assert.False(account.TryAdmit(OneRequest).IsAdmitted);
    }

    [Fact]
    public void FixedWindow_ChargeLargerThanOneWindow_IsTooLarge()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));
        RateLimitAccount account = Account(time, "tpm=600", RateLimitDimension.TokensPerMinute, new DimensionAccounting { Enforcement = EnforcementKind.FixedWindow, Period = TimeSpan.FromSeconds(10) });

        AdmissionDecision refused = account.TryAdmit(new RequestCharge(1, 101, 0, 0));

        Assert.True(refused.IsTooLarge);
        Assert.Equal(100, refused.Find(RateLimitDimension.TokensPerMinute)!.Value.Limit);
    }

    [Fact]
    public void SlidingLog_RoomComesBackOnlyWhenTheChargeThatTookItIsSixtySecondsOld()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));
        RateLimitAccount account = Account(time, "rpm=3", RateLimitDimension.RequestsPerMinute, new DimensionAccounting { Enforcement = EnforcementKind.SlidingLog });

        Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
        time.Advance(TimeSpan.FromSeconds(10));

        // A token bucket would have refilled 2.5 requests by t = 50 s; the log frees nothing until t = 60 s.
        AdmissionDecision refused = account.TryAdmit(OneRequest);
        Assert.False(refused.IsAdmitted);
        Assert.Equal(10, refused.RetryAfter!.Value.TotalSeconds, 6);
        time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.False(account.TryAdmit(OneRequest).IsAdmitted);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
        Assert.False(account.TryAdmit(OneRequest).IsAdmitted);
    }

    [Fact]
    public void SlidingLog_TwentyAtTenRpm_NeverMoreThanTenInAnySixtySeconds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));
        RateLimitAccount account = Account(time, "rpm=10", RateLimitDimension.RequestsPerMinute, new DimensionAccounting { Enforcement = EnforcementKind.SlidingLog });
        var admitted = new List<DateTimeOffset>();

        // Try every 100 ms for two minutes.
        for (int step = 0; step < 1_200 && admitted.Count < 20; step++)
        {
            if (account.TryAdmit(OneRequest).IsAdmitted)
            {
                admitted.Add(time.GetUtcNow());
            }

            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(20, admitted.Count);
        Assert.All(Enumerable.Range(10, 10), i => Assert.True(admitted[i] - admitted[i - 10] >= TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void CalendarDay_Pacific_ResetsAtLocalMidnightAcrossTheSpringDstChange()
    {
        // Saturday 2026-03-07 12:00 PST (20:00 UTC); DST starts Sunday 2026-03-08 at 02:00, so that day has 23 hours.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 7, 20, 0, 0, TimeSpan.Zero));
        var perDay = new DimensionAccounting { Enforcement = EnforcementKind.CalendarDay, TimeZone = AccountingModel.PacificTime };
        RateLimitAccount account = Account(time, "rpd=2", RateLimitDimension.RequestsPerDay, perDay);

        Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
        Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
        AdmissionDecision refused = account.TryAdmit(OneRequest);

        // Midnight PST is 08:00 UTC: 12 hours away, not the 24 h a rolling day would say.
        Assert.Equal(TimeSpan.FromHours(12), refused.RetryAfter!.Value);
        time.Advance(TimeSpan.FromHours(12));
        Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
        Assert.True(account.TryAdmit(OneRequest).IsAdmitted);

        // The next midnight is PDT (07:00 UTC on 03-09): the day of the change lasts 23 hours.
        refused = account.TryAdmit(OneRequest);
        Assert.Equal(TimeSpan.FromHours(23), refused.RetryAfter!.Value);
        time.Advance(TimeSpan.FromHours(23) - TimeSpan.FromTicks(1));
        Assert.False(account.TryAdmit(OneRequest).IsAdmitted);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
    }

    [Fact]
    public void CalendarDay_Pacific_TheAutumnDstChangeDayLastsTwentyFiveHours()
    {
        // Sunday 2026-11-01 00:00 PDT = 07:00 UTC; DST ends at 02:00 PDT, the next midnight is 08:00 UTC on 11-02.
        (DateTimeOffset start, DateTimeOffset end) = Simulator.Accounting.Enforcement.FixedWindowAllowance.CalendarDay(
            new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero), AccountingModel.PacificTime);

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 7, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero), end);
    }

    [Fact]
    public void CalendarDay_Utc_ResetsAtUtcMidnight()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 20, 23, 59, 30, TimeSpan.Zero));
        RateLimitAccount account = Account(time, "rpd=1", RateLimitDimension.RequestsPerDay, new DimensionAccounting { Enforcement = EnforcementKind.CalendarDay, TimeZone = TimeZoneInfo.Utc });

        Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
        AdmissionDecision refused = account.TryAdmit(OneRequest);

        Assert.Equal(TimeSpan.FromSeconds(30), refused.RetryAfter!.Value);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
    }

    [Theory]
    [InlineData(ChargeSettlement.SettleToActual, 1_000 - 150)]
    [InlineData(ChargeSettlement.KeepAdmissionCharge, 1_000 - 400)]
    public void Settle_RefundsTheUnusedReservationOnlyWhenTheDimensionSettles(ChargeSettlement settlement, double expectedRemaining)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));
        RateLimitAccount account = Account(time, "tpm=1000", RateLimitDimension.TokensPerMinute, new DimensionAccounting { Settlement = settlement });
        var reserved = new RequestCharge(1, 400, 100, 300);
        AdmissionDecision admitted = account.TryAdmit(reserved);

        account.Settle(reserved, new RequestCharge(1, 150, 100, 50), admitted.At);

        Assert.Equal(expectedRemaining, account.Peek().Single().Remaining, 6);
    }

    [Theory]
    [InlineData(EnforcementKind.FixedWindow)]
    [InlineData(EnforcementKind.SlidingLog)]
    public void Settle_WindowedDimensions_RefundTheChargeThatWasTaken(EnforcementKind kind)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));
        RateLimitAccount account = Account(time, "tpm=1000", RateLimitDimension.TokensPerMinute, new DimensionAccounting { Enforcement = kind, Period = TimeSpan.FromSeconds(60) });
        var reserved = new RequestCharge(1, 400, 100, 300);
        AdmissionDecision admitted = account.TryAdmit(reserved);
        time.Advance(TimeSpan.FromSeconds(5));

        account.Settle(reserved, new RequestCharge(1, 150, 100, 50), admitted.At);

        Assert.Equal(850, account.Peek().Single().Remaining, 6);
    }

    [Fact]
    public void Settle_FixedWindow_AfterItsWindowEnded_ChangesNothing()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 55, TimeSpan.Zero));
        RateLimitAccount account = Account(time, "tpm=1000", RateLimitDimension.TokensPerMinute, new DimensionAccounting { Enforcement = EnforcementKind.FixedWindow, Period = TimeSpan.FromSeconds(60) });
        var reserved = new RequestCharge(1, 400, 100, 300);
        AdmissionDecision admitted = account.TryAdmit(reserved);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(account.TryAdmit(new RequestCharge(1, 700, 0, 0)).IsAdmitted);

        // The refund belongs to the window that ended at 10:01:00; the new window's 700 stand.
        account.Settle(reserved, new RequestCharge(1, 150, 100, 50), admitted.At);

        Assert.Equal(300, account.Peek().Single().Remaining, 6);
    }

    [Fact]
    public void RefusedRequests_ChargedWhereTheProviderCountsThem_PushTheNextAdmissionFurther()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));
        var log = new ChargeLog(time, 100);
        RateLimitAccount account = Account(time, "rpm=60", RateLimitDimension.RequestsPerMinute, new DimensionAccounting { ChargeRefused = true }, log);
        for (int i = 0; i < 60; i++)
        {
            Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
        }

        AdmissionDecision first = account.TryAdmit(OneRequest);
        AdmissionDecision second = account.TryAdmit(OneRequest);

        // Each 429 costs a request: the wait grows by a second per refusal.
        Assert.Equal(1, first.RetryAfter!.Value.TotalSeconds, 6);
        Assert.Equal(2, second.RetryAfter!.Value.TotalSeconds, 6);
        Assert.Equal(2, log.Snapshot().Count(r => r.Kind == ChargeKind.RefusedCharge));
    }

    [Fact]
    public void RefusedRequests_NotChargedByDefault_LeaveTheWaitUnchanged()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));
        RateLimitAccount account = Account(time, "rpm=60", RateLimitDimension.RequestsPerMinute, new DimensionAccounting());
        for (int i = 0; i < 60; i++)
        {
            Assert.True(account.TryAdmit(OneRequest).IsAdmitted);
        }

        Assert.Equal(1, account.TryAdmit(OneRequest).RetryAfter!.Value.TotalSeconds, 6);
        Assert.Equal(1, account.TryAdmit(OneRequest).RetryAfter!.Value.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("lenient")]
    [InlineData("openai")]
    [InlineData("azure")]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    [InlineData("openrouter-free")]
    [InlineData("GROQ")]
    public void Profile_EveryName_ResolvesToAModelOfThatName(string name)
    {
        AccountingModel model = AccountingModel.Profile(name);

        Assert.Equal(name.ToLowerInvariant(), model.Name);
        Assert.Contains(model.Name, AccountingModel.ProfileNames);
    }

    [Fact]
    public void Profile_UnknownName_ThrowsNamingTheChoices()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>("name", () => AccountingModel.Profile("bedrock"));
        Assert.Contains("openrouter-free", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Profiles_FollowTheDocumentedShapes()
    {
        Assert.Equal(EnforcementKind.Quantized, AccountingModel.OpenAI()[RateLimitDimension.RequestsPerMinute].Enforcement);
        Assert.True(AccountingModel.OpenAI()[RateLimitDimension.RequestsPerMinute].ChargeRefused);
        Assert.Equal(TimeSpan.FromSeconds(10), AccountingModel.Azure()[RateLimitDimension.RequestsPerMinute].Period);
        Assert.Equal(EnforcementKind.TokenBucket, AccountingModel.Anthropic()[RateLimitDimension.InputTokensPerMinute].Enforcement);
        Assert.Equal(ChargeSettlement.SettleToActual, AccountingModel.Anthropic()[RateLimitDimension.OutputTokensPerMinute].Settlement);
        Assert.Equal(AccountingModel.PacificTime, AccountingModel.Gemini()[RateLimitDimension.RequestsPerDay].TimeZone);
        Assert.Equal(TimeZoneInfo.Utc, AccountingModel.OpenRouterFree()[RateLimitDimension.RequestsPerDay].TimeZone);
        Assert.Equal(RateLimitHeaderStyle.PerDayRequests, AccountingModel.Groq().Headers);
    }

    [Fact]
    public void Validate_ZeroPeriod_ThrowsNamingTheDimension()
    {
        var options = new SimulatorOptions();
        options.Accounting[RateLimitDimension.RequestsPerMinute] = new DimensionAccounting { Enforcement = EnforcementKind.FixedWindow, Period = TimeSpan.Zero };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ProviderSimulator.StartAsync(options).GetAwaiter().GetResult());
        Assert.Equal("options.Accounting[RequestsPerMinute].Period", error.ParamName);
    }

    [Fact]
    public void TrySetDimensions_CompactForm_SetsEachNamedDimensionWhole()
    {
        AccountingModel model = AccountingModel.Lenient();

        Assert.True(model.TrySetDimensions("rpm=window:10s+refused, tpm=quantized:0.5s+keep; rpd=day:America/Los_Angeles, itpm=sliding", out string? error), error);

        Assert.Equal(EnforcementKind.FixedWindow, model[RateLimitDimension.RequestsPerMinute].Enforcement);
        Assert.Equal(TimeSpan.FromSeconds(10), model[RateLimitDimension.RequestsPerMinute].Period);
        Assert.True(model[RateLimitDimension.RequestsPerMinute].ChargeRefused);
        Assert.Equal(EnforcementKind.Quantized, model[RateLimitDimension.TokensPerMinute].Enforcement);
        Assert.Equal(TimeSpan.FromMilliseconds(500), model[RateLimitDimension.TokensPerMinute].Period);
        Assert.Equal(ChargeSettlement.KeepAdmissionCharge, model[RateLimitDimension.TokensPerMinute].Settlement);
        Assert.Equal(AccountingModel.PacificTime, model[RateLimitDimension.RequestsPerDay].TimeZone);
        Assert.Equal(EnforcementKind.SlidingLog, model[RateLimitDimension.InputTokensPerMinute].Enforcement);
        Assert.Equal(EnforcementKind.TokenBucket, model[RateLimitDimension.OutputTokensPerMinute].Enforcement);
    }

    [Theory]
    [InlineData("rpm", "dimension=kind")]
    [InlineData("xpm=bucket", "dimension=kind")]
    [InlineData("rpm=window", "is not a kind")]
    [InlineData("rpm=window:0s", "is not a kind")]
    [InlineData("rpd=day:Mars/Olympus", "is not a kind")]
    [InlineData("rpm=bucket+refund", "is not a flag")]
    public void TrySetDimensions_Invalid_ReportsWhyAndChangesNothing(string text, string expected)
    {
        AccountingModel model = AccountingModel.Lenient();
        model.Name = "before";

        Assert.False(model.TrySetDimensions("tpm=sliding," + text, out string? error));

        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Equal(EnforcementKind.TokenBucket, model[RateLimitDimension.TokensPerMinute].Enforcement);
    }

    private static RateLimitAccount Account(FakeTimeProvider time, string limits, RateLimitDimension dimension, DimensionAccounting accounting, ChargeLog? log = null)
    {
        var model = new AccountingModel();
        model[dimension] = accounting;
        return new RateLimitAccount(new AccountKey(SimulatedProvider.OpenAI, "sk-test", "gpt-4o-mini"), RateLimits.Parse(limits), time, log ?? new ChargeLog(time, 0), model);
    }
}
