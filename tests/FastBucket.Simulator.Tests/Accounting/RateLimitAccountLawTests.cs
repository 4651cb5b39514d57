using FastBucket.Simulator.Accounting;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Simulator.Tests.Accounting;

public sealed class RateLimitAccountLawTests
{
    [Property(Arbitrary = [typeof(AccountScenarios)], MaxTest = 300)]
    public void ChargesInAnyWindow_NeverExceedCapacityPlusRateTimesWindow(AccountScenario scenario)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var log = new ChargeLog(time, int.MaxValue);
        var account = new RateLimitAccount(new AccountKey(SimulatedProvider.Anthropic, "sk-law", "model"), scenario.Limits, time, log);
        var pending = new Queue<(RequestCharge Reserved, RequestCharge Actual)>();

        foreach (Step step in scenario.Steps)
        {
            time.Advance(TimeSpan.FromMilliseconds(step.AdvanceMilliseconds));
            var reserved = new RequestCharge(1, step.Input + step.MaxOutput, step.Input, step.MaxOutput);
            if (account.TryAdmit(reserved).IsAdmitted)
            {
                int output = step.MaxOutput * step.UsedPercent / 100;
                pending.Enqueue((reserved, new RequestCharge(1, step.Input + output, step.Input, output)));
            }

            if (step.SettleOldest && pending.TryDequeue(out var finished))
            {
                account.Settle(finished.Reserved, finished.Actual);
            }
        }

        while (pending.TryDequeue(out var finished))
        {
            account.Settle(finished.Reserved, finished.Actual);
        }

        IReadOnlyList<ChargeRecord> records = log.Snapshot();
        foreach (RateLimitDimension dimension in Enum.GetValues<RateLimitDimension>())
        {
            if (scenario.Limits[dimension] is long limit)
            {
                double excess = ChargeLogAudit.MaxWindowExcess(records, dimension, limit);
                Assert.True(excess <= limit * 1e-6, $"{dimension} limit {limit} exceeded by {excess} in some window");
            }
        }
    }

    [Property(Arbitrary = [typeof(AccountScenarios)], MaxTest = 100)]
    public void RefusedRequest_AdmittedOnceRetryAfterHasPassed(AccountScenario scenario)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var account = new RateLimitAccount(new AccountKey(SimulatedProvider.OpenAI, "sk-law", "model"), scenario.Limits, time, new ChargeLog(time, 0));

        foreach (Step step in scenario.Steps)
        {
            time.Advance(TimeSpan.FromMilliseconds(step.AdvanceMilliseconds));
            var charge = new RequestCharge(1, step.Input + step.MaxOutput, step.Input, step.MaxOutput);
            AdmissionDecision decision = account.TryAdmit(charge);
            if (decision.RetryAfter is TimeSpan wait)
            {
                time.Advance(wait);
                Assert.True(account.TryAdmit(charge).IsAdmitted, $"refused again after waiting {wait}");
            }
        }
    }

    public sealed record Step(int AdvanceMilliseconds, int Input, int MaxOutput, int UsedPercent, bool SettleOldest);

    public sealed record AccountScenario(RateLimits Limits, Step[] Steps)
    {
        public override string ToString() => $"{Limits} with {Steps.Length} steps: {string.Join("; ", Steps.Select(s => s.ToString()))}";
    }

    public static class AccountScenarios
    {
        public static Arbitrary<AccountScenario> Scenarios()
        {
            Gen<long?> Limit(int low, int high) =>
                Gen.Frequency((1, Gen.Constant<long?>(null)), (3, Gen.Choose(low, high).Select(v => (long?)v)));

            Gen<RateLimits> limits =
                from rpm in Limit(1, 30)
                from tpm in Limit(50, 5000)
                from itpm in Limit(50, 3000)
                from otpm in Limit(20, 2000)
                from rpd in Limit(5, 200)
                select new RateLimits { RequestsPerMinute = rpm, TokensPerMinute = tpm, InputTokensPerMinute = itpm, OutputTokensPerMinute = otpm, RequestsPerDay = rpd };

            Gen<Step> step =
                from advance in Gen.Frequency((3, Gen.Constant(0)), (5, Gen.Choose(1, 3_000)), (1, Gen.Choose(3_000, 120_000)))
                from input in Gen.Choose(0, 2_000)
                from maxOutput in Gen.Choose(0, 1_000)
                from used in Gen.Choose(0, 100)
                from settle in Gen.Elements(true, false)
                select new Step(advance, input, maxOutput, used, settle);

            Gen<AccountScenario> scenario =
                from l in limits
                from steps in step.ArrayOf()
                select new AccountScenario(l, steps);
            return scenario.ToArbitrary();
        }
    }
}
