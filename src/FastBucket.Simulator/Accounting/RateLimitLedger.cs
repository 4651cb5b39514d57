using System.Collections.Concurrent;

namespace FastBucket.Simulator.Accounting;

/// <summary>All accounts of a simulator, created on first use with the limits that apply to them.</summary>
internal sealed class RateLimitLedger
{
    private readonly ConcurrentDictionary<AccountKey, RateLimitAccount> _accounts = new();
    private readonly ProviderRateLimits _limits;
    private readonly TimeProvider _time;
    private readonly AccountingModel _accounting;

    /// <param name="limits">The limits; the ledger keeps its own copy, so later changes to the options do not leak in.</param>
    /// <param name="time">The clock of every allowance.</param>
    /// <param name="log">Where admissions and settlements are recorded.</param>
    /// <param name="accounting">How every account counts; the ledger keeps its own copy.</param>
    public RateLimitLedger(ProviderRateLimits limits, TimeProvider time, ChargeLog log, AccountingModel? accounting = null)
    {
        _limits = limits.Copy();
        _accounting = (accounting ?? AccountingModel.Lenient()).Copy();
        _time = time;
        Log = log;
    }

    public ChargeLog Log { get; }

    public AccountingModel Accounting => _accounting;

    public RateLimitAccount AccountFor(SimulatedProvider provider, string apiKey, string model) =>
        _accounts.GetOrAdd(
            new AccountKey(provider, apiKey, model),
            static (key, ledger) => new RateLimitAccount(key, ledger._limits[key.Provider].Resolve(key.ApiKey, key.Model), ledger._time, ledger.Log, ledger._accounting),
            this);
}
