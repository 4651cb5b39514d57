using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using FastBucket.Quotas;

namespace FastBucket.Telemetry;

/// <summary>
/// The <c>FastBucket</c> meter (System.Diagnostics.Metrics): watch it with <c>dotnet-counters monitor --counters FastBucket</c>
/// or add it to OpenTelemetry with <c>.AddMeter("FastBucket")</c>. Every instrument is tagged with <c>provider</c> and
/// <c>model</c>; <c>fastbucket.quota.available</c> also with <c>dimension</c>.
/// </summary>
/// <remarks>
/// Instruments: <c>fastbucket.quota.grants</c> (reservations granted), <c>fastbucket.quota.refusals</c> (reservations
/// refused: exhausted quota, a request above a limit, a full queue), <c>fastbucket.quota.wait</c> (seconds each
/// reservation waited), <c>fastbucket.quota.available</c> (each limited dimension's level, observed),
/// <c>fastbucket.http.rate_limited</c> (429 responses received) and <c>fastbucket.http.retries</c>.
/// </remarks>
public static class FastBucketMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "FastBucket";

    private static readonly Meter s_meter = new(MeterName, typeof(FastBucketMetrics).Assembly.GetName().Version?.ToString());
    // Weak: a registry its owner forgets to dispose is still collected, and then no longer observed.
    private static readonly ConditionalWeakTable<QuotaRegistry, object?> s_registries = new();
    private static readonly QuotaDimension[] s_dimensions = Enum.GetValues<QuotaDimension>();
    private static readonly Counter<long> s_grants = s_meter.CreateCounter<long>("fastbucket.quota.grants", "{reservation}", "Reservations granted.");
    private static readonly Counter<long> s_refusals = s_meter.CreateCounter<long>("fastbucket.quota.refusals", "{reservation}", "Reservations refused: exhausted quota, a request above a limit, a full queue.");
    private static readonly Histogram<double> s_wait = s_meter.CreateHistogram<double>("fastbucket.quota.wait", "s", "How long each reservation waited for room.");
    private static readonly Counter<long> s_rateLimited = s_meter.CreateCounter<long>("fastbucket.http.rate_limited", "{response}", "429 responses received.");
    private static readonly Counter<long> s_retries = s_meter.CreateCounter<long>("fastbucket.http.retries", "{attempt}", "Requests sent again after a retryable failure.");

    static FastBucketMetrics()
    {
        s_meter.CreateObservableGauge("fastbucket.quota.available", ObserveAvailable, "{token}", "Each limited dimension's level now.");
    }

    internal static void Track(QuotaRegistry registry) => s_registries.TryAdd(registry, null);

    internal static void Untrack(QuotaRegistry registry) => s_registries.Remove(registry);

    internal static void Granted(in QuotaKey key, TimeSpan wait)
    {
        if (s_grants.Enabled)
        {
            s_grants.Add(1, Tags(key));
        }

        if (s_wait.Enabled)
        {
            s_wait.Record(wait.TotalSeconds, Tags(key));
        }
    }

    internal static void Refused(in QuotaKey key)
    {
        if (s_refusals.Enabled)
        {
            s_refusals.Add(1, Tags(key));
        }
    }

    internal static void RateLimited(in QuotaKey key)
    {
        if (s_rateLimited.Enabled)
        {
            s_rateLimited.Add(1, Tags(key));
        }
    }

    internal static void Retried(in QuotaKey key)
    {
        if (s_retries.Enabled)
        {
            s_retries.Add(1, Tags(key));
        }
    }

    private static TagList Tags(in QuotaKey key) => new() { { "provider", key.Provider.ToString() }, { "model", key.Model } };

    private static IEnumerable<Measurement<long>> ObserveAvailable()
    {
        foreach (var (registry, _) in s_registries)
        {
            foreach (var quota in registry.Quotas)
            {
                foreach (var dimension in s_dimensions)
                {
                    if (quota.Available(dimension) is long level)
                    {
                        var tags = Tags(quota.Key);
                        tags.Add("dimension", dimension.ToString());
                        yield return new Measurement<long>(level, tags);
                    }
                }
            }
        }
    }
}
