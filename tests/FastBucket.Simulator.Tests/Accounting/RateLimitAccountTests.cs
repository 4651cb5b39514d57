using FastBucket.Simulator.Accounting;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Simulator.Tests.Accounting;

public sealed class RateLimitAccountTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TryAdmit_WithinLimits_TakesChargeFromEveryDimension()
    {
        RateLimitAccount account = Account("rpm=60,tpm=1000,itpm=500,otpm=300");

        AdmissionDecision decision = account.TryAdmit(new RequestCharge(1, 150, 100, 50));

        Assert.True(decision.IsAdmitted);
        Assert.Equal(59, decision.Find(RateLimitDimension.RequestsPerMinute)!.Value.Remaining, 9);
        Assert.Equal(850, decision.Find(RateLimitDimension.TokensPerMinute)!.Value.Remaining, 9);
        Assert.Equal(400, decision.Find(RateLimitDimension.InputTokensPerMinute)!.Value.Remaining, 9);
        Assert.Equal(250, decision.Find(RateLimitDimension.OutputTokensPerMinute)!.Value.Remaining, 9);
    }

    [Fact]
    public void TryAdmit_OneDimensionShort_RefusesAndTakesNothing()
    {
        RateLimitAccount account = Account("rpm=60,tpm=1000,otpm=100");

        AdmissionDecision refused = account.TryAdmit(new RequestCharge(1, 150, 50, 101));

        Assert.False(refused.IsAdmitted);
        Assert.Equal(RateLimitDimension.OutputTokensPerMinute, refused.LimitingDimension);
        Assert.True(refused.IsTooLarge);
        AdmissionDecision next = account.TryAdmit(new RequestCharge(1, 0, 0, 0));
        Assert.Equal(59, next.Find(RateLimitDimension.RequestsPerMinute)!.Value.Remaining, 9);
        Assert.Equal(1000, next.Find(RateLimitDimension.TokensPerMinute)!.Value.Remaining, 9);
    }

    [Fact]
    public void TryAdmit_Exhausted_RetryAfterIsTimeUntilRoomInTheSlowestDimension()
    {
        RateLimitAccount account = Account("rpm=60,tpm=600");
        Assert.True(account.TryAdmit(new RequestCharge(1, 600, 600, 0)).IsAdmitted);

        AdmissionDecision refused = account.TryAdmit(new RequestCharge(1, 300, 300, 0));

        // Requests have room; tokens need 300 at 10 per second.
        Assert.False(refused.IsAdmitted);
        Assert.Equal(RateLimitDimension.TokensPerMinute, refused.LimitingDimension);
        Assert.Equal(30, refused.RetryAfter!.Value.TotalSeconds, 6);
        Assert.Equal(300, refused.Requested);
    }

    [Fact]
    public void TryAdmit_AfterWaitingRetryAfter_Admits()
    {
        RateLimitAccount account = Account("rpm=3");
        for (int i = 0; i < 3; i++)
        {
            Assert.True(account.TryAdmit(new RequestCharge(1, 0, 0, 0)).IsAdmitted);
        }

        AdmissionDecision refused = account.TryAdmit(new RequestCharge(1, 0, 0, 0));
        Assert.Equal(20, refused.RetryAfter!.Value.TotalSeconds, 6);

        _time.Advance(refused.RetryAfter.Value - TimeSpan.FromMilliseconds(10));
        Assert.False(account.TryAdmit(new RequestCharge(1, 0, 0, 0)).IsAdmitted);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(account.TryAdmit(new RequestCharge(1, 0, 0, 0)).IsAdmitted);
    }

    [Fact]
    public void Refill_LongIdle_CapsAtLimit()
    {
        RateLimitAccount account = Account("rpm=10");
        Assert.True(account.TryAdmit(new RequestCharge(1, 0, 0, 0)).IsAdmitted);

        _time.Advance(TimeSpan.FromHours(1));

        AllowanceSnapshot requests = account.Peek().Single();
        Assert.Equal(10, requests.Remaining, 9);
        Assert.Equal(TimeSpan.Zero, requests.TimeUntilFull);
    }

    [Fact]
    public void Refill_PartWayThroughWindow_IsProportional()
    {
        RateLimitAccount account = Account("tpm=6000,tpd=86400");
        Assert.True(account.TryAdmit(new RequestCharge(1, 6000, 0, 0)).IsAdmitted);

        _time.Advance(TimeSpan.FromSeconds(15));

        AllowanceSnapshot perMinute = account.Peek().Single(a => a.Dimension == RateLimitDimension.TokensPerMinute);
        AllowanceSnapshot perDay = account.Peek().Single(a => a.Dimension == RateLimitDimension.TokensPerDay);
        Assert.Equal(1500, perMinute.Remaining, 6);
        Assert.Equal(45, perMinute.TimeUntilFull.TotalSeconds, 6);
        Assert.Equal(86400 - 6000 + 15, perDay.Remaining, 6);
    }

    [Fact]
    public void Settle_UnusedOutput_ReturnsItAndLogsANegativeEntry()
    {
        var log = new ChargeLog(_time, 100);
        RateLimitAccount account = Account("tpm=1000,otpm=500", log);
        var reserved = new RequestCharge(1, 400, 100, 300);
        Assert.True(account.TryAdmit(reserved).IsAdmitted);

        account.Settle(reserved, new RequestCharge(1, 150, 100, 50));

        AllowanceSnapshot tokens = account.Peek().Single(a => a.Dimension == RateLimitDimension.TokensPerMinute);
        AllowanceSnapshot output = account.Peek().Single(a => a.Dimension == RateLimitDimension.OutputTokensPerMinute);
        Assert.Equal(850, tokens.Remaining, 9);
        Assert.Equal(450, output.Remaining, 9);
        IReadOnlyList<ChargeRecord> records = log.Snapshot();
        Assert.Equal([ChargeKind.Admission, ChargeKind.Settlement], records.Select(r => r.Kind));
        Assert.Equal(-250, records[1].Tokens);
        Assert.Equal(-250, records[1].OutputTokens);
        Assert.Equal(0, records[1].Requests);
    }

    [Fact]
    public void Settle_ActualEqualsReserved_LogsNothing()
    {
        var log = new ChargeLog(_time, 100);
        RateLimitAccount account = Account("rpm=5", log);
        var charge = new RequestCharge(1, 10, 10, 0);
        account.TryAdmit(charge);

        account.Settle(charge, charge);

        Assert.Single(log.Snapshot());
    }

    [Fact]
    public void TryAdmit_NoLimits_AdmitsWithoutAllowances()
    {
        RateLimitAccount account = Account("none");

        AdmissionDecision decision = account.TryAdmit(new RequestCharge(1, 1_000_000, 1_000_000, 0));

        Assert.True(account.IsUnlimited);
        Assert.True(decision.IsAdmitted);
        Assert.Empty(decision.Allowances);
    }

    [Fact]
    public void TryAdmit_RequestCountsOnlyInRequestDimensions()
    {
        RateLimitAccount account = Account("rpm=1,tpm=1000");

        Assert.True(account.TryAdmit(new RequestCharge(1, 0, 0, 0)).IsAdmitted);
        AdmissionDecision refused = account.TryAdmit(new RequestCharge(1, 0, 0, 0));

        Assert.Equal(RateLimitDimension.RequestsPerMinute, refused.LimitingDimension);
        Assert.Equal(1000, refused.Find(RateLimitDimension.TokensPerMinute)!.Value.Remaining, 9);
    }

    private RateLimitAccount Account(string limits, ChargeLog? log = null) =>
        new(new AccountKey(SimulatedProvider.OpenAI, "sk-test", "gpt-4o-mini"), RateLimits.Parse(limits), _time, log ?? new ChargeLog(_time, 0));
}
