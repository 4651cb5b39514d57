using System.Globalization;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Faults;

namespace FastBucket.Simulator;

/// <summary>
/// What a simulator has seen and done since it started: counts by outcome, token usage, and the charge log
/// from which a test can check that no window of any account ever exceeded its limit
/// (<see cref="ChargeLogAudit.MaxWindowExcess"/>). Safe to read while requests are in flight.
/// </summary>
public sealed class SimulatorStatistics
{
    private readonly ChargeLog _log;
    private readonly long[] _rateLimitedBy = new long[Enum.GetValues<RateLimitDimension>().Length];
    private readonly long[] _faults = new long[Enum.GetValues<FaultKind>().Length];
    private long _requests;
    private long _admitted;
    private long _rateLimited;
    private long _unauthorized;
    private long _badRequests;
    private long _inputTokens;
    private long _outputTokens;
    private long _cacheReadTokens;

    internal SimulatorStatistics(ChargeLog log)
    {
        _log = log;
    }

    /// <summary>Requests received on the provider endpoints.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests the rate-limit accounting admitted.</summary>
    public long Admitted => Interlocked.Read(ref _admitted);

    /// <summary>Requests refused with 429 by the accounting.</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    /// <summary>Requests refused for lack of an API key.</summary>
    public long Unauthorized => Interlocked.Read(ref _unauthorized);

    /// <summary>Requests refused as malformed (400, 404).</summary>
    public long BadRequests => Interlocked.Read(ref _badRequests);

    /// <summary>Injected 500, 503 and 529 responses.</summary>
    public long InjectedServerErrors =>
        FaultsInjected(FaultKind.InternalServerError) + FaultsInjected(FaultKind.ServiceUnavailable) + FaultsInjected(FaultKind.Overloaded);

    /// <summary>Input tokens reported in the usage of admitted requests.</summary>
    public long InputTokens => Interlocked.Read(ref _inputTokens);

    /// <summary>Input tokens of admitted requests read from the prompt cache (included in <see cref="InputTokens"/>).</summary>
    public long CacheReadTokens => Interlocked.Read(ref _cacheReadTokens);

    /// <summary>Output tokens reported in the usage of admitted requests.</summary>
    public long OutputTokens => Interlocked.Read(ref _outputTokens);

    /// <summary>Requests refused with 429 because of one dimension.</summary>
    /// <param name="dimension">The dimension that refused them.</param>
    /// <returns>The count.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is not a defined value.</exception>
    public long RateLimitedBy(RateLimitDimension dimension) => Interlocked.Read(ref _rateLimitedBy[IndexOf(dimension)]);

    /// <summary>Times a fault was carried out (a fault drawn for a request that was then refused does not count).</summary>
    /// <param name="kind">The fault.</param>
    /// <returns>The count.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined value.</exception>
    public long FaultsInjected(FaultKind kind) => Interlocked.Read(ref _faults[IndexOf(kind)]);

    /// <summary>The retained charge log of every account, each account's entries in time order.</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<ChargeRecord> GetChargeLog() => _log.Snapshot();

    /// <summary>The retained charge log of one account.</summary>
    /// <param name="provider">The account's provider.</param>
    /// <param name="apiKey">The account's API key.</param>
    /// <param name="model">The account's model (Azure: deployment).</param>
    /// <returns>A snapshot.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="apiKey"/> or <paramref name="model"/> is <see langword="null"/>.</exception>
    public IReadOnlyList<ChargeRecord> GetChargeLog(SimulatedProvider provider, string apiKey, string model)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        ArgumentNullException.ThrowIfNull(model);
        string fingerprint = ApiKeyFingerprint.Of(apiKey);
        return [.. _log.Snapshot().Where(r => r.Provider == provider && r.KeyFingerprint == fingerprint && r.Model == model)];
    }

    /// <summary>A one-line summary.</summary>
    /// <returns>Counts of requests by outcome and tokens.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"requests {Requests}, admitted {Admitted}, 429 {RateLimited}, 401 {Unauthorized}, 4xx {BadRequests}, injected 5xx {InjectedServerErrors}, input tokens {InputTokens}, output tokens {OutputTokens}");

    internal void CountRequest() => Interlocked.Increment(ref _requests);

    internal void CountUnauthorized() => Interlocked.Increment(ref _unauthorized);

    internal void CountBadRequest() => Interlocked.Increment(ref _badRequests);

    internal void CountAdmitted() => Interlocked.Increment(ref _admitted);

    internal void CountRateLimited(RateLimitDimension dimension)
    {
        Interlocked.Increment(ref _rateLimited);
        Interlocked.Increment(ref _rateLimitedBy[IndexOf(dimension)]);
    }

    internal void CountFault(FaultKind kind) => Interlocked.Increment(ref _faults[IndexOf(kind)]);

    internal void CountUsage(long inputTokens, long outputTokens, long cacheReadTokens)
    {
        Interlocked.Add(ref _cacheReadTokens, cacheReadTokens);
        Interlocked.Add(ref _inputTokens, inputTokens);
        Interlocked.Add(ref _outputTokens, outputTokens);
    }

    private static int IndexOf(RateLimitDimension dimension) =>
        Enum.IsDefined(dimension) ? (int)dimension : throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown rate-limit dimension.");

    private static int IndexOf(FaultKind kind) =>
        Enum.IsDefined(kind) ? (int)kind : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown fault.");
}
