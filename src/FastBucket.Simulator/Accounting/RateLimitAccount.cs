using System.Collections.Immutable;
using System.Diagnostics;

namespace FastBucket.Simulator.Accounting;

/// <summary>
/// The allowances of one (API key, model) account. Admission is all or nothing: every limited dimension must
/// have room for its part of the charge, or nothing is taken. A finished request is settled: the unused part
/// of its reservation (requested output tokens it did not generate) goes back.
/// </summary>
/// <remarks>
/// Written independently of FastBucket's own buckets (a lock and a double per dimension) so that each checks
/// the other. Law: for any window [a, b], the signed sum of this account's log entries in it is at most
/// limit + limit / window × (b − a) in every dimension.
/// </remarks>
internal sealed class RateLimitAccount
{
    private readonly Lock _gate = new();
    private readonly TokenAllowance[] _allowances;
    private readonly TimeProvider _time;
    private readonly ChargeLog _log;
    private readonly SimulatedProvider _provider;
    private readonly string _model;
    private readonly string _keyFingerprint;

    public RateLimitAccount(AccountKey key, RateLimits limits, TimeProvider time, ChargeLog log)
    {
        _time = time;
        _log = log;
        _provider = key.Provider;
        _model = key.Model;
        _keyFingerprint = ApiKeyFingerprint.Of(key.ApiKey);

        long now = time.GetTimestamp();
        _allowances = [.. RateLimitDimensions.All
            .Where(d => limits[d] is not null)
            .Select(d => new TokenAllowance(d, limits[d]!.Value, now))];
    }

    public bool IsUnlimited => _allowances.Length == 0;

    public AdmissionDecision TryAdmit(RequestCharge charge)
    {
        Debug.Assert(charge.IsNonNegative, "Charges are never negative.");
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            foreach (TokenAllowance allowance in _allowances)
            {
                allowance.Refill(now, _time);
            }

            // A dimension the request can never fit beats one it merely has to wait for: waiting would not help.
            TokenAllowance? limiting = null;
            TimeSpan longestWait = TimeSpan.Zero;
            foreach (TokenAllowance allowance in _allowances)
            {
                long amount = charge.AmountOf(allowance.Dimension);
                if (!allowance.CanEverAdmit(amount))
                {
                    return AdmissionDecision.Refused(SnapshotLocked(), _time.GetUtcNow(), allowance.Dimension, null, amount);
                }

                TimeSpan wait = allowance.TimeUntilRoomFor(amount);
                if (wait > longestWait)
                {
                    Debug.Assert(!allowance.HasRoomFor(amount), "A positive wait means no room now.");
                    longestWait = wait;
                    limiting = allowance;
                }
            }

            if (limiting is not null)
            {
                return AdmissionDecision.Refused(SnapshotLocked(), _time.GetUtcNow(), limiting.Dimension, longestWait, charge.AmountOf(limiting.Dimension));
            }

            foreach (TokenAllowance allowance in _allowances)
            {
                allowance.Take(charge.AmountOf(allowance.Dimension));
            }

            _log.Append(ChargeKind.Admission, _provider, _model, _keyFingerprint, now, charge);
            return AdmissionDecision.Admitted(SnapshotLocked(), _time.GetUtcNow());
        }
    }

    /// <summary>Returns the part of <paramref name="reserved"/> that <paramref name="actual"/> did not use.</summary>
    /// <remarks>
    /// The actual charge never exceeds the reservation (output is capped by the requested maximum and input is
    /// counted the same way both times); were it larger, the excess is not taken, so the law still holds.
    /// </remarks>
    public void Settle(RequestCharge reserved, RequestCharge actual)
    {
        Debug.Assert(
            actual.Requests <= reserved.Requests && actual.Tokens <= reserved.Tokens
            && actual.InputTokens <= reserved.InputTokens && actual.OutputTokens <= reserved.OutputTokens,
            "Actual usage stays within the reservation.");

        RequestCharge refund = reserved.Minus(actual);
        if (refund.IsZero)
        {
            return;
        }

        lock (_gate)
        {
            long now = _time.GetTimestamp();
            foreach (TokenAllowance allowance in _allowances)
            {
                allowance.Refill(now, _time);
                allowance.Return(refund.AmountOf(allowance.Dimension));
            }

            _log.Append(
                ChargeKind.Settlement,
                _provider,
                _model,
                _keyFingerprint,
                now,
                new RequestCharge(-refund.Requests, -refund.Tokens, -refund.InputTokens, -refund.OutputTokens));
        }
    }

    /// <summary>The allowances now, without charging anything.</summary>
    public ImmutableArray<AllowanceSnapshot> Peek()
    {
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            foreach (TokenAllowance allowance in _allowances)
            {
                allowance.Refill(now, _time);
            }

            return SnapshotLocked();
        }
    }

    private ImmutableArray<AllowanceSnapshot> SnapshotLocked()
    {
        var snapshots = ImmutableArray.CreateBuilder<AllowanceSnapshot>(_allowances.Length);
        foreach (TokenAllowance allowance in _allowances)
        {
            snapshots.Add(allowance.Snapshot());
        }

        return snapshots.MoveToImmutable();
    }
}
