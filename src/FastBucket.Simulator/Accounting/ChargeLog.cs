using System.Diagnostics;

namespace FastBucket.Simulator.Accounting;

/// <summary>
/// The most recent charge entries of all accounts, oldest first per account. Bounded so that a long-running
/// simulator does not grow without end; any contiguous run of entries still obeys the window law.
/// </summary>
internal sealed class ChargeLog
{
    private readonly Lock _gate = new();
    private readonly Queue<ChargeRecord> _records = new();
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly int _capacity;

    public ChargeLog(TimeProvider time, int capacity)
    {
        Debug.Assert(capacity >= 0, "Options validation rejects a negative capacity.");
        _time = time;
        _capacity = capacity;
        _startedAt = time.GetTimestamp();
    }

    public void Append(ChargeKind kind, SimulatedProvider provider, string model, string keyFingerprint, long timestamp, RequestCharge amounts)
    {
        if (_capacity == 0)
        {
            return;
        }

        var record = new ChargeRecord(
            kind,
            provider,
            model,
            keyFingerprint,
            _time.GetElapsedTime(_startedAt, timestamp),
            _time.GetUtcNow(),
            amounts.Requests,
            amounts.Tokens,
            amounts.InputTokens,
            amounts.OutputTokens);

        lock (_gate)
        {
            if (_records.Count == _capacity)
            {
                _records.Dequeue();
            }

            _records.Enqueue(record);
        }
    }

    public IReadOnlyList<ChargeRecord> Snapshot()
    {
        lock (_gate)
        {
            return [.. _records];
        }
    }
}
