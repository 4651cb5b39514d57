using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Accounting.Enforcement;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.E2E.Fidelity;

/// <summary>
/// The shortest run of a cell's requests, in the order the provider admitted them, that every limit of the profile
/// admits at once: each request sent at the first instant all of the simulator's own enforcements (the same
/// <see cref="Allowance"/>s that answered the run) have room for it, on a fake clock from the run's start. A bound
/// per dimension alone is not one: Azure's tokens alone would send a minute's 60,000 in the first second of a window
/// its 60 requests per 10 s cannot reach.
/// </summary>
/// <remarks>
/// Each request is charged at admission what the provider finally counted for it: its admission's amount, scaled so
/// that the admissions sum to what the run consumed (settlements returned the rest; the log does not pair them).
/// </remarks>
internal static class JointShortestRun
{
    /// <param name="consumed">Per dimension, what the run consumed (admissions less settlements; refused charges apart).</param>
    public static double Seconds(FidelityProfile profile, AccountingModel accounting, IReadOnlyList<ChargeRecord> log, IReadOnlyDictionary<RateLimitDimension, double> consumed, DateTimeOffset startedAt)
    {
        var time = new FakeTimeProvider(startedAt);
        var limited = Enum.GetValues<RateLimitDimension>().Where(d => profile.Limits[d] is not null).ToArray();
        var allowances = limited.Select(d => Allowance.Create(d, profile.Limits[d]!.Value, accounting[d], AccountingInstant.Now(time), time)).ToArray();
        var admissions = log.Where(r => r.Kind == ChargeKind.Admission).ToList();
        var scale = limited.Select(d =>
        {
            double admitted = admissions.Sum(r => (double)r.AmountOf(d));
            return admitted > 0 ? consumed[d] / admitted : 0;
        }).ToArray();

        var amounts = new long[limited.Length];
        foreach (var admission in admissions)
        {
            for (int i = 0; i < limited.Length; i++)
            {
                amounts[i] = (long)Math.Round(admission.AmountOf(limited[i]) * scale[i]);
            }

            while (true)
            {
                var now = AccountingInstant.Now(time);
                var wait = TimeSpan.Zero;
                for (int i = 0; i < limited.Length; i++)
                {
                    allowances[i].Advance(now);
                    if (amounts[i] > 0 && allowances[i].CanEverAdmit(amounts[i]))
                    {
                        var room = allowances[i].TimeUntilRoomFor(amounts[i], now);
                        wait = room > wait ? room : wait;
                    }
                }

                if (wait == TimeSpan.Zero)
                {
                    for (int i = 0; i < limited.Length; i++)
                    {
                        allowances[i].Take(amounts[i], now);
                    }

                    break;
                }

                time.Advance(wait);
            }
        }

        return (time.GetUtcNow() - startedAt).TotalSeconds;
    }
}
