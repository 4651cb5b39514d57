using FastBucket.Providers;
using FastBucket.Quotas;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Quotas.Contract;

/// <summary>
/// The contract every quota store keeps (<see cref="LlmQuota"/> in process, the Redis quota across processes): one body
/// per rule, run against each store by a class deriving from this one. A fake clock drives every store.
/// </summary>
public abstract class QuotaContractTests : IAsyncLifetime
{
    protected static readonly QuotaKey Key = new(LlmProvider.OpenAI, "gpt-4o-mini");

    /// <summary>The clock of every quota the test creates.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 23, 0, 0, TimeSpan.Zero));

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// A quota of this store with <paramref name="limits"/> on <paramref name="key"/>, by default <see cref="Key"/> (every
    /// quota of one test shares the key: another one is another process), shaped by <paramref name="windowing"/> (none:
    /// continuous buckets).
    /// </summary>
    protected abstract Task<ILlmQuota> CreateAsync(QuotaLimits limits, double burstHeadroom = 0, QuotaKey? key = null, FastBucket.Quotas.Windows.QuotaWindowing? windowing = null);

    /// <summary>A quota of this store in discovery mode.</summary>
    protected abstract Task<ILlmQuota> CreateDiscoveringAsync(QuotaKey key, int? maxConcurrency);

    /// <summary>Waits until everything the quota sent has been answered and its wait loop, if any, is asleep: the point where advancing the clock is seen.</summary>
    protected abstract Task SettleAsync(ILlmQuota quota);

    /// <summary>The level of one dimension now, as the store sees it after settling.</summary>
    protected abstract Task<long?> AvailableAsync(ILlmQuota quota, QuotaDimension dimension);

    private static int ReserveAll(ILlmQuota quota, RequestCost cost)
    {
        int granted = 0;
        while (granted < 10_000 && quota.TryReserve(cost, out var reservation, out _))
        {
            reservation.Complete(new TokenUsage(cost.InputTokens, cost.OutputTokens));
            granted++;
        }

        return granted;
    }

    /// <summary>A 429 whose headers still report room (tokens left): the provider enforces a shorter period than ours.</summary>
    private static RateLimitSignals RefusedWithRoom() => new()
    {
        Provider = LlmProvider.Generic, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true,
        RetryAfter = TimeSpan.FromSeconds(1), Tokens = new RateLimitDimension(6_000, 5_000, TimeSpan.FromSeconds(10)),
    };

    private static RateLimitSignals Ok(RateLimitDimension requests = default, RateLimitDimension tokens = default) =>
        new() { Provider = LlmProvider.OpenAI, StatusCode = 200, Requests = requests, Tokens = tokens };

    [ContractFact]
    public async Task TryReserve_AllDimensionsHaveRoom_ChargesEach()
    {
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 10, TokensPerMinute = 1_000, InputTokensPerMinute = 800, OutputTokensPerMinute = 300, RequestsPerDay = 100 });
        Assert.True(quota.TryReserve(new RequestCost(1, 100, 50), out var reservation, out _));
        Assert.Equal(9, quota.Available(QuotaDimension.RequestsPerMinute));
        Assert.Equal(850, quota.Available(QuotaDimension.TokensPerMinute));
        Assert.Equal(700, quota.Available(QuotaDimension.InputTokensPerMinute));
        Assert.Equal(250, quota.Available(QuotaDimension.OutputTokensPerMinute));
        Assert.Equal(99, quota.Available(QuotaDimension.RequestsPerDay));
        Assert.Null(quota.Available(QuotaDimension.TokensPerDay));
        Assert.Equal(1, quota.InFlight);
        reservation.Dispose();
        Assert.Equal(0, quota.InFlight);
    }

    [ContractFact]
    public async Task TryReserve_GeminiRpd100_AdmitsExactly100InOnePacificDayAndAllAgainAfterMidnight()
    {
        // Item 3: per-day limits count the provider's calendar days (Gemini: midnight Pacific), not a bucket refilled at
        // RPD / 86,400 per second, which let 199 through in one Pacific day. The clock starts at 15:00 Pacific.
        var gemini = new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash");
        var quota = await CreateAsync(new QuotaLimits { RequestsPerDay = 100 }, key: gemini);
        var one = new RequestCost(1, 0, 0);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(quota.TryReserve(one, out var reservation, out _), $"request {i + 1}");
            reservation.Dispose();
        }

        Assert.False(quota.TryReserve(one, out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromHours(9), retryAfter); // until midnight Pacific, 08:00 UTC

        Time.Advance(TimeSpan.FromHours(8.99)); // 23:59:24 Pacific: a bucket would have refilled 37 by now
        await SettleAsync(quota);
        Assert.False(quota.TryReserve(one, out _, out _));
        Assert.Equal(0, await AvailableAsync(quota, QuotaDimension.RequestsPerDay));

        Time.Advance(TimeSpan.FromHours(0.02)); // 00:00:36 Pacific: a new day, the whole limit again
        await SettleAsync(quota);
        Assert.Equal(100, await AvailableAsync(quota, QuotaDimension.RequestsPerDay));
        Assert.True(quota.TryReserve(one, out _, out _));
    }

    [ContractFact]
    public async Task Complete_GeminiTokensPerDay_RefundsWithinTheDayAndNothingRefillsUntilMidnight()
    {
        var gemini = new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash");
        var quota = await CreateAsync(new QuotaLimits { TokensPerDay = 10_000 }, key: gemini);
        Assert.True(quota.TryReserve(new RequestCost(1, 1_000, 1_000), out var reservation, out _));
        reservation.Complete(new TokenUsage(500, 200));
        await SettleAsync(quota);
        Assert.Equal(9_300, await AvailableAsync(quota, QuotaDimension.TokensPerDay));

        Time.Advance(TimeSpan.FromHours(6)); // 21:00 Pacific
        await SettleAsync(quota);
        Assert.Equal(9_300, await AvailableAsync(quota, QuotaDimension.TokensPerDay));

        Time.Advance(TimeSpan.FromHours(3)); // midnight Pacific
        await SettleAsync(quota);
        Assert.Equal(10_000, await AvailableAsync(quota, QuotaDimension.TokensPerDay));
    }

    [ContractFact]
    public async Task Observe_GeminiPerDayQuotaExhausted_ExhaustedUntilMidnightPacific()
    {
        // Item 4: a per-day 429 uses the day up until the provider's next day (midnight Pacific, 08:00 UTC here), not
        // for its short RetryInfo.
        var gemini = new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash");
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 10, RequestsPerDay = 250 }, key: gemini);
        quota.Observe(new RateLimitSignals
        {
            Provider = LlmProvider.Gemini, StatusCode = 429, ErrorClass = RateLimitErrorClass.QuotaExhausted, Retryable = false,
            ErrorCode = "RESOURCE_EXHAUSTED", RetryAfter = TimeSpan.FromSeconds(40),
            QuotaViolations = [new QuotaViolation("GenerateRequestsPerDayPerProjectPerModel-FreeTier", null, RateLimitWindow.Day, 250)],
        });
        await SettleAsync(quota);
        Assert.Equal(0, await AvailableAsync(quota, QuotaDimension.RequestsPerDay)); // the day used up, for every process
        var error = Assert.Throws<QuotaExhaustedException>(() => quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero), error.ResetsAt);

        Time.Advance(TimeSpan.FromHours(9) + TimeSpan.FromSeconds(1));
        await SettleAsync(quota);
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
    }

    [ContractFact]
    public async Task TryReserve_SafeShape_NeverMoreThanTheLimitInAnySixtySeconds()
    {
        // The safe shape for a provider whose minute is windows or unknown (issue 14, "at most L in any 60 s"): a fresh
        // 60 RPM / 6,000 TPM quota with 10-second bursts, asked for everything it grants every 250 ms for three minutes,
        // one request of 100 tokens at a time. A bucket with a burst cell admits its burst and then the whole rate on top
        // in the first minute (60 + 9 requests).
        var generic = new QuotaKey(LlmProvider.Generic, "any-model");
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 60, TokensPerMinute = 6_000 }, key: generic, windowing: FastBucket.Quotas.Windows.QuotaWindowing.For(LlmProvider.Generic));
        var cost = new RequestCost(1, 50, 50);
        var grants = new List<DateTimeOffset>();
        for (int step = 0; step < 720; step++)
        {
            while (quota.TryReserve(cost, out var reservation, out _))
            {
                grants.Add(Time.GetUtcNow());
                reservation.Complete(new TokenUsage(50, 50));
            }

            await SettleAsync(quota);
            Time.Advance(TimeSpan.FromMilliseconds(250));
        }

        Assert.InRange(grants.Count, 120, 181); // near the rate: the shape caps the burst, not the throughput
        for (int i = 0, j = 0; i < grants.Count; i++)
        {
            while (grants[i] - grants[j] >= TimeSpan.FromMinutes(1))
            {
                j++;
            }

            Assert.True(i - j + 1 <= 60, $"{i - j + 1} requests granted within 60 s, from {grants[j]:HH:mm:ss.fff} to {grants[i]:HH:mm:ss.fff}");
        }
    }

    [ContractFact]
    public async Task Complete_SafeShape_RefundsAndDebtsCountInTheWindow()
    {
        // The window rule settles to usage like the buckets: what was not used is free again within the minute, an
        // overrun holds the window until it leaves. Tokens only, with the whole minute as the burst, so the window decides.
        var generic = new QuotaKey(LlmProvider.Generic, "any-model");
        var windowing = new FastBucket.Quotas.Windows.QuotaWindowing { TokenBurstPeriod = TimeSpan.FromMinutes(1), BurstPeriod = TimeSpan.FromMinutes(1) };
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 1_000 }, key: generic, windowing: windowing);

        Assert.True(quota.TryReserve(new RequestCost(1, 400, 400), out var first, out _));
        first.Complete(new TokenUsage(50, 50)); // 700 refunded
        await SettleAsync(quota);
        Time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(quota.TryReserve(new RequestCost(1, 400, 400), out var second, out _)); // 100 + 800 of 1,000
        second.Complete(new TokenUsage(500, 500)); // 200 over: 1,100 counted
        await SettleAsync(quota);
        Time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(quota.TryReserve(new RequestCost(1, 1, 0), out _, out var wait));
        Assert.InRange(wait, TimeSpan.FromSeconds(49), TimeSpan.FromSeconds(62)); // until the first charge has left the minute
    }

    [ContractFact]
    public async Task Observe_ProviderCountsLessThanTheWindowHolds_ForgetsTheOldestCharges()
    {
        // A fixed minute's edge passed: the provider no longer counts the first 600 tokens, and says so in the remaining
        // it reports for the second request. The window rule forgets them, so the level rises to what the provider
        // reports (700), never above it; without it the level stays at 100 until the first charge leaves our minute.
        var generic = new QuotaKey(LlmProvider.Generic, "any-model");
        var windowing = new FastBucket.Quotas.Windows.QuotaWindowing { TokenBurstPeriod = TimeSpan.FromMinutes(1), BurstPeriod = TimeSpan.FromMinutes(1) };
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 1_000 }, key: generic, windowing: windowing);
        Assert.True(quota.TryReserve(new RequestCost(1, 300, 300), out var first, out _));
        first.Complete(new TokenUsage(300, 300));
        await SettleAsync(quota);
        Time.Advance(TimeSpan.FromSeconds(50)); // a refilling cell beside the rule (Redis) is full again
        await SettleAsync(quota);

        Assert.True(quota.TryReserve(new RequestCost(1, 150, 150), out var second, out _));
        Time.Advance(TimeSpan.FromMilliseconds(500));
        quota.Observe(new RateLimitSignals { Provider = LlmProvider.Generic, StatusCode = 200, Tokens = new RateLimitDimension(1_000, 700, TimeSpan.FromSeconds(15)) }, second, TimeSpan.FromMilliseconds(500));
        second.Complete(new TokenUsage(150, 150));
        await SettleAsync(quota);

        Assert.False(quota.TryReserve(new RequestCost(1, 701, 0), out _, out _)); // never above what the provider reports
        Assert.True(quota.TryReserve(new RequestCost(1, 700, 0), out var third, out _));
        third.Dispose();
    }

    [ContractFact]
    public async Task Complete_SafeShape_AnsweredLate_CountsInTheWindowFromTheAnswer()
    {
        // The provider counted the request no later than it answered, however late after our grant it arrived (a cold
        // connection, a loaded machine): under the window rule a charge leaves a minute after its answer, not its grant.
        var generic = new QuotaKey(LlmProvider.Generic, "any-model");
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 1 }, key: generic, windowing: FastBucket.Quotas.Windows.QuotaWindowing.For(LlmProvider.Generic));
        var one = new RequestCost(1, 0, 0);
        Assert.True(quota.TryReserve(one, out var late, out _));
        Time.Advance(TimeSpan.FromSeconds(20));
        quota.Observe(new RateLimitSignals { Provider = LlmProvider.Generic, StatusCode = 200 }, late, TimeSpan.FromSeconds(20));
        late.Complete(new TokenUsage(0, 0));
        await SettleAsync(quota);

        Time.Advance(TimeSpan.FromSeconds(45)); // 65 s after the grant, 45 s after the answer
        Assert.False(quota.TryReserve(one, out _, out _));
        Time.Advance(TimeSpan.FromSeconds(17)); // 62 s after the answer: past the minute, its second and the margin
        Assert.True(quota.TryReserve(one, out var next, out _));
        next.Dispose();
    }

    [ContractFact]
    public async Task Observe_429WithRoomReported_ShrinksTheBurstOncePerCongestionEventNotTheRate()
    {
        // A 429 while the provider still reports room means it enforces over a shorter period than our burst's: the
        // burst halves, the rate stays. 429s for requests sent before that shrink belong to the same event.
        var generic = new QuotaKey(LlmProvider.Generic, "any-model");
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 600 }, key: generic, windowing: FastBucket.Quotas.Windows.QuotaWindowing.For(LlmProvider.Generic));
        var one = new RequestCost(1, 0, 0);
        int first = ReserveAll(quota, one); // a sixth of the minute in 10 s (Redis: less the expiry margin)
        Assert.InRange(first, 95, 100);

        quota.Observe(RefusedWithRoom(), null, TimeSpan.FromMilliseconds(200));
        await SettleAsync(quota);
        Time.Advance(TimeSpan.FromSeconds(61.5)); // every grant has left the minute
        await SettleAsync(quota);
        Assert.Equal(600, quota.Limits.RequestsPerMinute);
        int second = ReserveAll(quota, one);
        Assert.InRange(second, (first / 2) - 3, (first / 2) + 1);

        quota.Observe(RefusedWithRoom(), null, TimeSpan.FromSeconds(62)); // sent before the shrink: the same event
        await SettleAsync(quota);
        Time.Advance(TimeSpan.FromSeconds(61.5));
        await SettleAsync(quota);
        Assert.Equal(second, ReserveAll(quota, one));

        quota.Observe(RefusedWithRoom(), null, TimeSpan.FromMilliseconds(200)); // sent after it: a new event
        await SettleAsync(quota);
        Time.Advance(TimeSpan.FromSeconds(61.5));
        await SettleAsync(quota);
        Assert.InRange(ReserveAll(quota, one), (second / 2) - 3, (second / 2) + 1);

        // The rate is whole: asked every 100 ms for two minutes, near 1,200 granted (the burst's expiry margin and the
        // steps cost a few percent).
        int granted = 0;
        for (int step = 0; step < 1_200; step++)
        {
            Time.Advance(TimeSpan.FromMilliseconds(100));
            await SettleAsync(quota);
            granted += ReserveAll(quota, one);
        }

        Assert.InRange(granted, 1_080, 1_200);
    }

    [ContractFact]
    public async Task Observe_ResetsOfAContinuousBucket_LiftTheSafeShapeUntilABurstIsRefused()
    {
        // Where the provider does not document its enforcement, its resets may show a continuously refilled bucket
        // (used over the refill rate, the full time moving with each charge): the burst and window rules then stop
        // refusing. A 429 while room is reported ends that reading for good, back to the safe shape, its burst shrunk.
        var generic = new QuotaKey(LlmProvider.Generic, "any-model");
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 600 }, key: generic, windowing: FastBucket.Quotas.Windows.QuotaWindowing.For(LlmProvider.Generic));
        var one = new RequestCost(1, 0, 0);
        int burst = ReserveAll(quota, one);
        Assert.InRange(burst, 95, 100);

        for (int i = 0; i < 3; i++)
        {
            Assert.InRange(ReserveAll(quota, one), 0, 10); // the safe shape's burst is spent: at most the rate's second
            long remaining = 600 - burst - (20 * i);
            quota.Observe(Ok(new RateLimitDimension(600, remaining, TimeSpan.FromSeconds((600 - remaining) / 10.0))), null, TimeSpan.FromMilliseconds(100));
            await SettleAsync(quota);
            Time.Advance(TimeSpan.FromSeconds(1));
            await SettleAsync(quota);
        }

        Assert.InRange(ReserveAll(quota, one), 200, 600 - burst); // a bucket: its level, not a tenth-second share

        quota.Observe(RefusedWithRoom(), null, TimeSpan.FromMilliseconds(200));
        await SettleAsync(quota);
        Time.Advance(TimeSpan.FromSeconds(61.5));
        await SettleAsync(quota);
        Assert.InRange(ReserveAll(quota, one), (burst / 2) - 3, (burst / 2) + 1);
    }

    [ContractFact]
    public async Task TryReserve_BeforeTheFirstAnswer_OpenAIsQuantumDoesNotRefill()
    {
        // Cold sends wait for connections and JIT and then reach the provider together, however far apart we granted
        // them: a full run met OpenAI's quantum twice this way, its first two requests arriving 10 ms apart. Until the
        // first answer (at most ColdRefillHold), the burst earns no refill.
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 60_000 }, key: new QuotaKey(LlmProvider.OpenAI, "m"), windowing: FastBucket.Quotas.Windows.QuotaWindowing.For(LlmProvider.OpenAI));
        var cost = new RequestCost(1, 250, 250) { TokensPerMinute = TokensPerMinuteCharge.LargerOfInputAndOutputKept };
        Assert.True(quota.TryReserve(cost, out var first, out _));
        Assert.True(quota.TryReserve(cost, out _, out _));
        Assert.True(quota.TryReserve(cost, out _, out _));
        Assert.False(quota.TryReserve(cost, out _, out _)); // 750 of the 1,000 quantum: its 250 ms margin held back

        Time.Advance(TimeSpan.FromSeconds(1));
        await SettleAsync(quota);
        Assert.False(quota.TryReserve(cost, out _, out _)); // a second later, still cold: nothing earned

        quota.Observe(new RateLimitSignals { Provider = LlmProvider.OpenAI, StatusCode = 200 }, first, TimeSpan.FromSeconds(1));
        await SettleAsync(quota);
        Time.Advance(TimeSpan.FromMilliseconds(250));
        await SettleAsync(quota);
        Assert.True(quota.TryReserve(cost, out _, out _)); // warm: refilled from the first answer on
    }

    [ContractFact]
    public async Task TryReserve_NoAnswerWithinTheColdHold_RefillsAfterIt()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 60_000 }, key: new QuotaKey(LlmProvider.OpenAI, "m"), windowing: FastBucket.Quotas.Windows.QuotaWindowing.For(LlmProvider.OpenAI));
        var cost = new RequestCost(1, 750, 0) { TokensPerMinute = TokensPerMinuteCharge.LargerOfInputAndOutputKept };
        Assert.True(quota.TryReserve(cost, out _, out _));
        Time.Advance(LlmQuota.ColdRefillHold);
        await SettleAsync(quota);
        Assert.False(quota.TryReserve(cost, out _, out _));
        Time.Advance(TimeSpan.FromSeconds(0.75));
        await SettleAsync(quota);
        Assert.True(quota.TryReserve(cost, out _, out _)); // a first answer that takes long holds the refill no longer
    }

    /// <summary>A quota whose limits are assumed (a catalog's defaults, as <see cref="QuotaRegistry"/> marks them).</summary>
    private async Task<ILlmQuota> CreateProbingAsync()
    {
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 500, TokensPerMinute = 200_000 });
        ((IAssumedLimitsProbe)quota).ProbeUntilFirstAnswer();
        return quota;
    }

    [ContractFact]
    public async Task TryReserve_AssumedLimitsBeforeTheFirstAnswer_OneRequestAtATime()
    {
        var quota = await CreateProbingAsync();
        var cost = new RequestCost(1, 100, 100);
        Assert.True(quota.TryReserve(cost, out var probe, out _));
        Assert.False(quota.TryReserve(cost, out _, out var wait));
        Assert.InRange(wait, TimeSpan.FromTicks(1), LlmQuota.ColdRefillHold); // until the gate's bound at most

        probe.Dispose(); // failed before any answer: the next request is the next probe
        await SettleAsync(quota);
        Assert.True(quota.TryReserve(cost, out var next, out _));
        Assert.False(quota.TryReserve(cost, out _, out _));
        next.Dispose();
    }

    [ContractFact]
    public async Task TryReserve_AssumedLimitsAfterTheFirstAnswer_TheBurstGoes()
    {
        var quota = await CreateProbingAsync();
        var cost = new RequestCost(1, 100, 100);
        Assert.True(quota.TryReserve(cost, out var probe, out _));
        Time.Advance(TimeSpan.FromMilliseconds(300));

        quota.Observe(Ok(), probe, TimeSpan.FromMilliseconds(300));
        await SettleAsync(quota);

        Assert.True(quota.TryReserve(cost, out var second, out _));
        Assert.True(quota.TryReserve(cost, out var third, out _)); // the probe still in flight: the gate is gone
        probe.Complete(new TokenUsage(100, 100));
        second.Complete(new TokenUsage(100, 100));
        third.Complete(new TokenUsage(100, 100));
    }

    [ContractFact]
    public async Task TryReserve_AssumedLimitsNoAnswerWithinTheHold_TheGateLifts()
    {
        var quota = await CreateProbingAsync();
        var cost = new RequestCost(1, 100, 100);
        Assert.True(quota.TryReserve(cost, out var slow, out _)); // a long generation: no headers for a while
        Assert.False(quota.TryReserve(cost, out _, out _));

        Time.Advance(LlmQuota.ColdRefillHold);
        await SettleAsync(quota);

        Assert.True(quota.TryReserve(cost, out var second, out _));
        slow.Dispose();
        second.Dispose();
    }

    [ContractFact]
    public async Task ReserveAsync_WaitingBehindTheProbe_WokenByTheFirstAnswer()
    {
        var quota = await CreateProbingAsync();
        var cost = new RequestCost(1, 100, 100);
        Assert.True(quota.TryReserve(cost, out var probe, out _));
        var waiting = quota.ReserveAsync(cost).AsTask();
        await SettleAsync(quota);
        Assert.False(waiting.IsCompleted);

        quota.Observe(Ok(), probe, TimeSpan.FromMilliseconds(300)); // the headers: the body has not been read yet

        using var admitted = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, quota.InFlight);
        probe.Dispose();
    }

    [ContractFact]
    public async Task TryReserve_OneDimensionRefuses_NoDimensionStaysCharged()
    {
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 10, TokensPerMinute = 1_000, OutputTokensPerMinute = 100 });
        Assert.True(quota.TryReserve(new RequestCost(1, 0, 90), out _, out _));
        Assert.False(quota.TryReserve(new RequestCost(1, 500, 20), out var none, out var retryAfter));
        Assert.Null(none);
        Assert.Equal(9, await AvailableAsync(quota, QuotaDimension.RequestsPerMinute));
        Assert.Equal(910, await AvailableAsync(quota, QuotaDimension.TokensPerMinute));
        Assert.Equal(10, await AvailableAsync(quota, QuotaDimension.OutputTokensPerMinute));
        Assert.Equal(TimeSpan.FromSeconds(6), retryAfter); // 10 more output tokens at 100 per minute
    }

    [ContractFact]
    public async Task TryReserve_CostOverACapacity_FailsAtOnceNamingTheDimension()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 1_000 });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => quota.TryReserve(new RequestCost(1, 900, 200), out _, out _));
        Assert.Equal("cost", ex.ParamName);
        Assert.Contains("TokensPerMinute", ex.Message, StringComparison.Ordinal);
        Assert.Contains("could never be sent", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await quota.ReserveAsync(new RequestCost(1, 2_000, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => quota.TryReserve(new RequestCost(-1, 0, 0), out _, out _));
    }

    [ContractFact]
    public async Task TryReserve_CostExactlyTheCapacityOnAFullBucket_IsGranted()
    {
        // 7 RPM with 20% headroom: a burst of 6, and an emission interval of 60/7 s that no binary fraction holds exactly.
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 7 }, burstHeadroom: 0.2);
        Assert.True(quota.TryReserve(new RequestCost(6, 0, 0), out var reservation, out _));
        reservation.Cancel();
        await SettleAsync(quota);
        Assert.True(quota.TryReserve(new RequestCost(6, 0, 0), out _, out _));
    }

    [ContractFact]
    public async Task Complete_UsedLess_RefundsTheDifference()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 1_000, InputTokensPerMinute = 1_000, OutputTokensPerMinute = 1_000 });
        Assert.True(quota.TryReserve(new RequestCost(1, 200, 500), out var reservation, out _));
        reservation.Complete(new TokenUsage(180, 40));
        Assert.Equal(780, await AvailableAsync(quota, QuotaDimension.TokensPerMinute));
        Assert.Equal(820, await AvailableAsync(quota, QuotaDimension.InputTokensPerMinute));
        Assert.Equal(960, await AvailableAsync(quota, QuotaDimension.OutputTokensPerMinute));
    }

    [ContractFact]
    public async Task Complete_UsedMore_ChargesDebtRepaidByRefill()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 600 });
        Assert.True(quota.TryReserve(new RequestCost(1, 500, 100), out var reservation, out _));
        reservation.Complete(new TokenUsage(700, 200));
        Assert.Equal(-300, await AvailableAsync(quota, QuotaDimension.TokensPerMinute));
        Time.Advance(TimeSpan.FromSeconds(30)); // 300 tokens of refill
        Assert.Equal(0, await AvailableAsync(quota, QuotaDimension.TokensPerMinute));
        Assert.False(quota.TryReserve(new RequestCost(1, 1, 0), out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(100), retryAfter);
    }

    [ContractFact]
    public async Task Cancel_RefundsEverything_AndLaterEndsDoNothing()
    {
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 5, TokensPerMinute = 1_000, MaxConcurrency = 1 });
        Assert.True(quota.TryReserve(new RequestCost(1, 300, 100), out var reservation, out _));
        reservation.Cancel();
        reservation.Complete(new TokenUsage(10_000, 10_000));
        reservation.Dispose();
        Assert.Equal(5, await AvailableAsync(quota, QuotaDimension.RequestsPerMinute));
        Assert.Equal(1_000, await AvailableAsync(quota, QuotaDimension.TokensPerMinute));
        Assert.Equal(1, quota.Available(QuotaDimension.Concurrency));
        Assert.Equal(0, quota.InFlight);
    }

    [ContractFact]
    public async Task Dispose_WithoutComplete_KeepsTheCharge()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 1_000, MaxConcurrency = 1 });
        Assert.True(quota.TryReserve(new RequestCost(1, 300, 100), out var reservation, out _));
        Assert.Equal(0, quota.Available(QuotaDimension.Concurrency));
        reservation.Dispose();
        Assert.Equal(600, await AvailableAsync(quota, QuotaDimension.TokensPerMinute));
        Assert.Equal(1, quota.Available(QuotaDimension.Concurrency));
    }

    [ContractFact]
    public async Task ReserveAsync_WaitsOnTheSlowestDimension_ThenGrantsAllTogether()
    {
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 60, TokensPerMinute = 600 });
        Assert.True(quota.TryReserve(new RequestCost(1, 600, 0), out _, out _));
        var pending = quota.ReserveAsync(new RequestCost(1, 100, 0)).AsTask();
        await SettleAsync(quota);
        Time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        await SettleAsync(quota);
        Assert.False(pending.IsCompleted);
        Time.Advance(TimeSpan.FromMilliseconds(1));
        var reservation = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(100, reservation.Cost.InputTokens);
        Assert.Equal(0, await AvailableAsync(quota, QuotaDimension.TokensPerMinute));
        Assert.Equal(59, quota.Available(QuotaDimension.RequestsPerMinute)); // refilled to 60 (capped), then one taken
    }

    [ContractFact]
    public async Task ReserveAsync_IsFifo_LargeNotStarvedBySmall()
    {
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 1_000, TokensPerMinute = 1_000 });
        Assert.True(quota.TryReserve(new RequestCost(1, 1_000, 0), out _, out _));
        var large = quota.ReserveAsync(new RequestCost(1, 900, 0)).AsTask();
        await SettleAsync(quota);
        var small = quota.ReserveAsync(new RequestCost(1, 10, 0)).AsTask();
        Assert.False(quota.TryReserve(new RequestCost(1, 1, 0), out _, out _)); // no barging past waiters
        Assert.Equal(2, quota.QueuedCount);
        Time.Advance(TimeSpan.FromSeconds(6)); // 100 tokens: enough for small, not for large
        await SettleAsync(quota);
        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted);
        Time.Advance(TimeSpan.FromSeconds(49)); // 910 tokens: both, in order
        await large.WaitAsync(TimeSpan.FromSeconds(10));
        await small.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(6, await AvailableAsync(quota, QuotaDimension.TokensPerMinute)); // 916 refilled in 55 s − 910
    }

    [ContractFact]
    public async Task ReserveAsync_Canceled_KeepsNothing()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 100 });
        Assert.True(quota.TryReserve(new RequestCost(1, 100, 0), out _, out _));
        using var cts = new CancellationTokenSource();
        var pending = quota.ReserveAsync(new RequestCost(1, 50, 0), cts.Token).AsTask();
        await SettleAsync(quota);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal(0, quota.QueuedCount);
        Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(50, await AvailableAsync(quota, QuotaDimension.TokensPerMinute));
    }

    [ContractFact]
    public async Task ReserveAsync_ConcurrencyFull_WokenByALocalRelease()
    {
        var quota = await CreateAsync(new QuotaLimits { MaxConcurrency = 1 });
        var first = await quota.ReserveAsync(new RequestCost(1, 0, 0));
        var second = quota.ReserveAsync(new RequestCost(1, 0, 0)).AsTask();
        Assert.False(second.IsCompleted);
        first.Complete(new TokenUsage(0, 0));
        var reservation = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, quota.InFlight);
        reservation.Dispose();
    }

    [ContractFact]
    public async Task Dispose_FailsWaiters_WithObjectDisposed()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 100 });
        Assert.True(quota.TryReserve(new RequestCost(1, 100, 0), out _, out _));
        var pending = quota.ReserveAsync(new RequestCost(1, 50, 0)).AsTask();
        await SettleAsync(quota);
        quota.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending);
    }

    [ContractFact]
    public async Task Observe_ReportedLimits_BecomeTheLimitsInForce()
    {
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 500, TokensPerMinute = 200_000 });
        quota.Observe(Ok(new RateLimitDimension(5_000, 4_999, TimeSpan.FromMilliseconds(12)), new RateLimitDimension(2_000_000, 1_999_000, TimeSpan.FromMilliseconds(30))));
        await SettleAsync(quota);
        Assert.Equal(5_000, quota.Limits.RequestsPerMinute);
        Assert.Equal(2_000_000, quota.Limits.TokensPerMinute);
    }

    [ContractFact]
    public async Task Observe_RemainingBelowOurLevel_LowersByWhatNoSendOrderExplains()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 10_000 });
        Assert.True(quota.TryReserve(new RequestCost(1, 1_000, 0), out var mine, out _));
        Assert.True(quota.TryReserve(new RequestCost(1, 500, 0), out var other, out _));
        // Someone else used the key: the server says 6,000 left after counting our first request. We had 9,000 left
        // when we granted it; the 500 reserved after it may have reached the server first, so 2,500 is unexplained.
        quota.Observe(Ok(tokens: new RateLimitDimension(10_000, 6_000, TimeSpan.FromSeconds(24))), mine);
        Assert.Equal(6_000, await AvailableAsync(quota, QuotaDimension.TokensPerMinute));
        other.Dispose();
        mine.Dispose();
    }

    [ContractFact]
    public async Task Observe_BurstAnsweredOutOfOrder_NeverLowers()
    {
        var quota = await CreateAsync(new QuotaLimits { TokensPerMinute = 10_000 });
        var reservations = new List<QuotaReservation>();
        for (int i = 0; i < 10; i++)
        {
            Assert.True(quota.TryReserve(new RequestCost(1, 1_000, 0), out var r, out _));
            reservations.Add(r);
        }

        // The server admitted them in reverse order: the first we granted was the last it counted (0 left).
        for (int i = 0; i < 10; i++)
        {
            quota.Observe(Ok(tokens: new RateLimitDimension(10_000, 1_000 * i, TimeSpan.FromSeconds(6))), reservations[i]);
        }

        reservations.ForEach(r => r.Complete(new TokenUsage(1_000, 0)));
        Time.Advance(TimeSpan.FromSeconds(6)); // 1,000 tokens of refill: had any evidence lowered the level, it would show
        Assert.Equal(1_000, await AvailableAsync(quota, QuotaDimension.TokensPerMinute));
    }

    [ContractFact]
    public async Task Observe_RateLimited_HoldsEveryRequestUntilTheWaitPassed()
    {
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 100 });
        quota.Observe(new RateLimitSignals { StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true, RetryAfter = TimeSpan.FromSeconds(30) });
        await SettleAsync(quota);
        Assert.False(quota.TryReserve(new RequestCost(1, 0, 0), out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);
        var waiting = quota.ReserveAsync(new RequestCost(1, 0, 0)).AsTask();
        await SettleAsync(quota);
        Time.Advance(TimeSpan.FromSeconds(29));
        await SettleAsync(quota);
        Assert.False(waiting.IsCompleted);
        Time.Advance(TimeSpan.FromSeconds(1));
        (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [ContractFact]
    public async Task Observe_QuotaExhausted_FailsFastNamingTheQuota()
    {
        var quota = await CreateAsync(new QuotaLimits { RequestsPerMinute = 100 });
        quota.Observe(new RateLimitSignals { StatusCode = 429, ErrorClass = RateLimitErrorClass.QuotaExhausted, Retryable = false, ErrorCode = "insufficient_quota" });
        await SettleAsync(quota);
        var ex = Assert.Throws<QuotaExhaustedException>(() => quota.TryReserve(new RequestCost(1, 0, 0), out _, out _));
        Assert.Equal("insufficient_quota", ex.Reason);
        Assert.Contains("OpenAI/gpt-4o-mini", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<QuotaExhaustedException>(async () => await quota.ReserveAsync(new RequestCost(1, 0, 0)));
    }

    [ContractFact]
    public async Task CreateDiscovering_OneAtATimeUntilLimitsAreReported_ThenTheLearnedLimitsAndConcurrency()
    {
        var quota = await CreateDiscoveringAsync(Key, maxConcurrency: 8);
        Assert.Equal(1, quota.Limits.MaxConcurrency);
        Assert.True(quota.TryReserve(new RequestCost(1, 100, 0), out var first, out _));
        Assert.False(quota.TryReserve(new RequestCost(1, 100, 0), out _, out _));
        quota.Observe(Ok(new RateLimitDimension(500, 499, TimeSpan.FromMilliseconds(120)), new RateLimitDimension(30_000, 29_900, TimeSpan.FromMilliseconds(200))), first);
        first.Complete(new TokenUsage(100, 0));
        await SettleAsync(quota);
        Assert.Equal(500, quota.Limits.RequestsPerMinute);
        Assert.Equal(30_000, quota.Limits.TokensPerMinute);
        Assert.Equal(8, quota.Limits.MaxConcurrency);
        Assert.True(quota.TryReserve(new RequestCost(1, 100, 0), out _, out _));
        Assert.True(quota.TryReserve(new RequestCost(1, 100, 0), out _, out _));
    }

    [ContractFact]
    public async Task CreateDiscovering_ProviderWithoutLimitHeaders_HalvesTheRateOnA429()
    {
        var quota = await CreateDiscoveringAsync(new QuotaKey(LlmProvider.Gemini, "gemini-2.5-flash"), maxConcurrency: null);
        Assert.Equal(10, quota.Limits.RequestsPerMinute);
        quota.Observe(new RateLimitSignals { Provider = LlmProvider.Gemini, StatusCode = 429, ErrorClass = RateLimitErrorClass.RateLimited, Retryable = true, RetryAfter = TimeSpan.FromSeconds(1) });
        await SettleAsync(quota);
        Assert.Equal(5, quota.Limits.RequestsPerMinute);
    }

    [ContractFact]
    public async Task Reserve_RandomScripts_RefusedChangesNothing_AndLevelsEqualCapacityMinusFinalCharges()
    {
        var limits = new QuotaLimits { RequestsPerMinute = 12, TokensPerMinute = 3_000, InputTokensPerMinute = 2_000, OutputTokensPerMinute = 900, RequestsPerDay = 80, TokensPerDay = 25_000, MaxConcurrency = 4 };
        var quota = await CreateAsync(limits);
        var random = new Random(1234);
        var charged = new long[QuotaDimensions.RateCount];
        var open = new List<QuotaReservation>();
        for (int step = 0; step < 60; step++)
        {
            var cost = new RequestCost(1, random.Next(0, 600), random.Next(0, 300));
            var before = await LevelsAsync(quota);
            if (quota.TryReserve(cost, out var reservation, out _))
            {
                open.Add(reservation);
                foreach (var row in QuotaDimensions.Rate)
                {
                    charged[(int)row.Dimension] += row.CostOf(cost);
                }
            }
            else
            {
                Assert.Equal(before, await LevelsAsync(quota)); // a refused reservation leaves every dimension as it was
            }

            if (open.Count > 0 && random.Next(3) == 0)
            {
                var ending = open[random.Next(open.Count)];
                open.Remove(ending);
                switch (random.Next(3))
                {
                    case 0:
                        var used = new TokenUsage(random.Next(0, (int)ending.Cost.InputTokens + 50), random.Next(0, (int)ending.Cost.OutputTokens + 50));
                        ending.Complete(used);
                        charged[1] += used.TotalTokens - ending.Cost.TotalTokens;
                        charged[5] += used.TotalTokens - ending.Cost.TotalTokens;
                        charged[2] += used.InputTokens - ending.Cost.InputTokens;
                        charged[3] += used.OutputTokens - ending.Cost.OutputTokens;
                        break;
                    case 1:
                        ending.Cancel();
                        foreach (var row in QuotaDimensions.Rate)
                        {
                            charged[(int)row.Dimension] -= row.CostOf(ending.Cost);
                        }

                        break;
                    default:
                        ending.Dispose();
                        break;
                }
            }
        }

        // No time passed: each level is its capacity minus what stands charged (refunds never exceed what was taken).
        var levels = await LevelsAsync(quota);
        foreach (var row in QuotaDimensions.Rate)
        {
            Assert.Equal(row.LimitOf(limits) - charged[(int)row.Dimension], levels[(int)row.Dimension]);
        }

        Assert.Equal(open.Count, quota.InFlight);
    }

    private async Task<long?[]> LevelsAsync(ILlmQuota quota)
    {
        var levels = new long?[QuotaDimensions.RateCount];
        foreach (var row in QuotaDimensions.Rate)
        {
            levels[(int)row.Dimension] = await AvailableAsync(quota, row.Dimension);
        }

        return levels;
    }
}
