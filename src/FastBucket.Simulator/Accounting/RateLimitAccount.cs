using System.Collections.Immutable;
using System.Diagnostics;
using FastBucket.Simulator.Accounting.Enforcement;

namespace FastBucket.Simulator.Accounting;

/// <summary>
/// The allowances of one (API key, model) account, each enforced and charged as its <see cref="DimensionAccounting"/>
/// says. Admission is all or nothing: every limited dimension must have room for its part of the charge, or nothing
/// is taken (except on the dimensions that charge refused requests). A finished request is settled: on the
/// dimensions that settle to actual usage, the unused part of its reservation goes back.
/// </summary>
/// <remarks>
/// Written independently of FastBucket's own buckets (a lock and one object per dimension) so that each checks the
/// other. Law of the lenient model: for any window [a, b], the signed sum of this account's log entries in it is at
/// most limit + limit / window × (b − a) in every dimension.
/// </remarks>
internal sealed class RateLimitAccount
{
    private readonly Lock _gate = new();
    private readonly Allowance[] _allowances;
    private readonly DimensionAccounting[] _accounting;
    private readonly TimeProvider _time;
    private readonly ChargeLog _log;
    private readonly SimulatedProvider _provider;
    private readonly string _model;
    private readonly string _keyFingerprint;
    private readonly bool _settlesEverything;

    public RateLimitAccount(AccountKey key, RateLimits limits, TimeProvider time, ChargeLog log, AccountingModel? accounting = null)
    {
        _time = time;
        _log = log;
        _provider = key.Provider;
        _model = key.Model;
        _keyFingerprint = ApiKeyFingerprint.Of(key.ApiKey);
        accounting ??= AccountingModel.Lenient();

        AccountingInstant now = AccountingInstant.Now(time);
        RateLimitDimension[] limited = [.. RateLimitDimensions.All.Where(d => limits[d] is not null)];
        _accounting = [.. limited.Select(d => accounting[d])];
        _allowances = [.. limited.Select(d => Allowance.Create(d, limits[d]!.Value, accounting[d], now, time))];
        _settlesEverything = _accounting.All(a => a.Settlement == ChargeSettlement.SettleToActual);
    }

    public bool IsUnlimited => _allowances.Length == 0;

    public AdmissionDecision TryAdmit(RequestCharge charge)
    {
        Debug.Assert(charge.IsNonNegative, "Charges are never negative.");
        lock (_gate)
        {
            AccountingInstant now = AccountingInstant.Now(_time);
            foreach (Allowance allowance in _allowances)
            {
                allowance.Advance(now);
            }

            // A dimension the request can never fit beats one it merely has to wait for: waiting would not help.
            Allowance? limiting = null;
            TimeSpan longestWait = TimeSpan.Zero;
            foreach (Allowance allowance in _allowances)
            {
                long amount = charge.AmountOf(allowance.Dimension);
                if (!allowance.CanEverAdmit(amount))
                {
                    ChargeRefusedLocked(charge, now);
                    return AdmissionDecision.Refused(SnapshotLocked(now), now, allowance.Dimension, null, amount);
                }

                TimeSpan wait = allowance.TimeUntilRoomFor(amount, now);
                if (wait > longestWait)
                {
                    longestWait = wait;
                    limiting = allowance;
                }
            }

            if (limiting is not null)
            {
                ChargeRefusedLocked(charge, now);
                return AdmissionDecision.Refused(SnapshotLocked(now), now, limiting.Dimension, longestWait, charge.AmountOf(limiting.Dimension));
            }

            foreach (Allowance allowance in _allowances)
            {
                allowance.Take(charge.AmountOf(allowance.Dimension), now);
            }

            _log.Append(ChargeKind.Admission, _provider, _model, _keyFingerprint, now.Timestamp, charge);
            return AdmissionDecision.Admitted(SnapshotLocked(now), now);
        }
    }

    /// <summary>Settles a request admitted now (for callers that do not keep the admission's moment).</summary>
    public void Settle(RequestCharge reserved, RequestCharge actual) => Settle(reserved, actual, AccountingInstant.Now(_time));

    /// <summary>
    /// Returns the part of <paramref name="reserved"/> that <paramref name="actual"/> did not use, on the dimensions
    /// that settle to actual usage; <paramref name="admittedAt"/> says which window or log entry it belongs to.
    /// </summary>
    /// <remarks>
    /// The actual charge never exceeds the reservation (output is capped by the requested maximum and input is
    /// counted the same way both times); were it larger, the excess is not taken, so the law still holds. The log
    /// records a component's refund when any dimension counting it settles.
    /// </remarks>
    public void Settle(RequestCharge reserved, RequestCharge actual, AccountingInstant admittedAt)
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
            AccountingInstant now = AccountingInstant.Now(_time);
            RequestCharge logged = default;
            for (int i = 0; i < _allowances.Length; i++)
            {
                if (_accounting[i].Settlement != ChargeSettlement.SettleToActual)
                {
                    continue;
                }

                Allowance allowance = _allowances[i];
                allowance.Advance(now);
                allowance.Return(refund.AmountOf(allowance.Dimension), admittedAt, now);
                logged = logged.WithComponentOf(allowance.Dimension, refund);
            }

            RequestCharge entry = _settlesEverything ? refund : logged;
            if (!entry.IsZero)
            {
                _log.Append(ChargeKind.Settlement, _provider, _model, _keyFingerprint, now.Timestamp, entry.Negated());
            }
        }
    }

    /// <summary>The allowances now, without charging anything.</summary>
    public ImmutableArray<AllowanceSnapshot> Peek()
    {
        lock (_gate)
        {
            AccountingInstant now = AccountingInstant.Now(_time);
            foreach (Allowance allowance in _allowances)
            {
                allowance.Advance(now);
            }

            return SnapshotLocked(now);
        }
    }

    private void ChargeRefusedLocked(RequestCharge charge, AccountingInstant now)
    {
        RequestCharge charged = default;
        for (int i = 0; i < _allowances.Length; i++)
        {
            if (_accounting[i].ChargeRefused)
            {
                _allowances[i].Take(charge.AmountOf(_allowances[i].Dimension), now);
                charged = charged.WithComponentOf(_allowances[i].Dimension, charge);
            }
        }

        if (!charged.IsZero)
        {
            _log.Append(ChargeKind.RefusedCharge, _provider, _model, _keyFingerprint, now.Timestamp, charged);
        }
    }

    private ImmutableArray<AllowanceSnapshot> SnapshotLocked(AccountingInstant now)
    {
        var snapshots = ImmutableArray.CreateBuilder<AllowanceSnapshot>(_allowances.Length);
        foreach (Allowance allowance in _allowances)
        {
            snapshots.Add(allowance.Snapshot(now));
        }

        return snapshots.MoveToImmutable();
    }
}
