using FastBucket.Simulator.Accounting;

namespace FastBucket.Simulator.Tests.Accounting;

public sealed class ChargeLogAuditTests
{
    [Fact]
    public void MaxWindowExcess_BurstOfCapacityThenSteadyRate_IsZero()
    {
        // 60 RPM: 60 at once, then one per second for a minute, is exactly what the law allows.
        List<ChargeRecord> records = [.. Enumerable.Range(0, 60).Select(_ => Admission(0, requests: 1))];
        records.AddRange(Enumerable.Range(1, 60).Select(s => Admission(s, requests: 1)));

        double excess = ChargeLogAudit.MaxWindowExcess(records, RateLimitDimension.RequestsPerMinute, 60);

        Assert.Equal(0, excess, 9);
    }

    [Fact]
    public void MaxWindowExcess_OneTooManyInAWindow_ReportsTheExcess()
    {
        List<ChargeRecord> records = [Admission(0, requests: 1), Admission(10, requests: 1), Admission(20, requests: 1)];

        // Limit 2 per minute: [0 s, 20 s] allows 2 + 2/60*20 = 2.667 and holds 3.
        double excess = ChargeLogAudit.MaxWindowExcess(records, RateLimitDimension.RequestsPerMinute, 2);

        Assert.Equal(3 - (2 + (20 / 30.0)), excess, 9);
    }

    [Fact]
    public void MaxWindowExcess_SettlementAtSameInstant_CountsWithTheWindow()
    {
        // An admission and its refund at the same instant net to 10 tokens; a window cannot start between them.
        List<ChargeRecord> records = [Admission(0, tokens: 100), Settlement(0, tokens: -90), Admission(0, tokens: 100)];

        double excess = ChargeLogAudit.MaxWindowExcess(records, RateLimitDimension.TokensPerMinute, 110);

        Assert.Equal(0, excess, 9);
    }

    [Fact]
    public void MaxWindowExcess_AccountsAreCheckedSeparately()
    {
        List<ChargeRecord> records = [Admission(0, requests: 1, key: "key-a"), Admission(0, requests: 1, key: "key-b")];

        Assert.Equal(0, ChargeLogAudit.MaxWindowExcess(records, RateLimitDimension.RequestsPerMinute, 1), 9);
        Assert.Equal(1, ChargeLogAudit.MaxWindowExcess([.. records, Admission(0, requests: 1, key: "key-a")], RateLimitDimension.RequestsPerMinute, 1), 9);
    }

    [Fact]
    public void MaxWindowExcess_NoRecords_IsNegativeInfinity() =>
        Assert.Equal(double.NegativeInfinity, ChargeLogAudit.MaxWindowExcess([], RateLimitDimension.TokensPerDay, 5));

    [Fact]
    public void MaxWindowExcess_LimitBelowOne_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>("limit", () => ChargeLogAudit.MaxWindowExcess([], RateLimitDimension.TokensPerDay, 0));

    private static ChargeRecord Admission(double seconds, long requests = 0, long tokens = 0, string key = "key-a") =>
        new(ChargeKind.Admission, SimulatedProvider.OpenAI, "m", key, TimeSpan.FromSeconds(seconds), DateTimeOffset.UnixEpoch.AddSeconds(seconds), requests, tokens, 0, 0);

    private static ChargeRecord Settlement(double seconds, long tokens) =>
        new(ChargeKind.Settlement, SimulatedProvider.OpenAI, "m", "key-a", TimeSpan.FromSeconds(seconds), DateTimeOffset.UnixEpoch.AddSeconds(seconds), 0, tokens, 0, 0);
}
