using System.Diagnostics;

namespace FastBucket.Quotas.Congestion;

/// <summary>
/// The share of its request rate a quota admits (<see cref="Windows.PacedWindow"/>): additive increase, multiplicative
/// decrease under a known limit, for
/// processes that send on one key without sharing their counts. The share halves once per congestion event (a 429)
/// and grows back by one request per minute per success, so it at most doubles each minute and never passes the whole
/// limit.
/// </summary>
/// <remarks>
/// <para><b>Why.</b> Two processes each given the account's whole limit each pace at the whole rate: together twice
/// what the provider admits. A provider that refills its minute continuously (OpenAI) shows nothing of it in its
/// remaining counts, which stay above what either process expects until the minute is spent; but it enforces over
/// shorter periods and answers the excess with 429s, and where a refused request counts against the limit (OpenAI:
/// "unsuccessful requests contribute to your per-minute limit") every retry at the full rate deepens the debt: a
/// death spiral. Halving on congestion takes two processes to half the rate each, the standard way flows that cannot
/// talk share a link. Alone on its key a process meets few 429s, and one event costs it half its request rate for
/// about a minute at most.</para>
/// <para>The same additive increase and multiplicative decrease as discovery's request rate: one
/// <see cref="CongestionController"/> (lock-free) whose rate is the share, stepping by one request of the limit.
/// Times are <see cref="TimeProvider.GetTimestamp"/> values of one clock.</para>
/// </remarks>
internal sealed class RequestPace
{
    /// <summary>The whole limit, in the share's fixed-point units.</summary>
    internal const long Whole = 1L << 20;

    /// <summary>The floor of the decrease: a 64th of the limit (at least one request per window).</summary>
    internal const long Floor = Whole / 64;

    // The share is the AIMD rate of one controller, in 1/Whole units: it starts whole, never passes it, never falls below the floor.
    private readonly CongestionController _share = new(Whole, Floor, Whole);

    /// <summary>The share now, in units of 1/<see cref="Whole"/>.</summary>
    public long Share => _share.Rate;

    /// <summary>
    /// A 429 arrived at <paramref name="arrivedAt"/> for a request sent at <paramref name="sentAt"/>: true when it
    /// starts a congestion event (the share halved, unless already at its floor), false when it belongs to the current
    /// event.
    /// </summary>
    public bool OnRateLimited(long sentAt, long arrivedAt) => _share.OnRateLimited(sentAt, arrivedAt) is not null;

    /// <summary>
    /// A request sent at <paramref name="sentAt"/> succeeded on a limit of <paramref name="limit"/> requests per window:
    /// the share grows by one request, unless the request was sent before the current congestion event (it says
    /// nothing about the new share) or the share is whole. Returns whether it grew.
    /// </summary>
    public bool OnSuccess(long sentAt, long limit)
    {
        Debug.Assert(limit >= 1);
        return _share.OnSuccess(sentAt, Math.Max(1, Whole / limit)) is not null;
    }
}
