using System.Globalization;

namespace FastBucket.Cli.Dashboard;

/// <summary>
/// The FastBucket meter's values as published by the watched process's System.Diagnostics.Metrics EventSource,
/// aggregated per quota (provider and model). Counter events carry the change over one refresh interval: they are
/// summed into totals and divided by the interval into rates. Values come from another process: anything that does
/// not parse is ignored.
/// </summary>
internal sealed class QuotaMonitorState
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Provider, string Model), Accumulator> _quotas = [];
    private readonly double _intervalSeconds;
    private long _events;

    public QuotaMonitorState(TimeSpan interval) => _intervalSeconds = Math.Max(interval.TotalSeconds, 0.001);

    /// <summary>Measurements received from the FastBucket meter so far.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>Records one counter's change over the last interval.</summary>
    public void OnCounter(string instrument, string tags, string rate)
    {
        if (!TryParse(rate, out double delta) || !TryQuota(tags, out var key, out _))
        {
            return;
        }

        lock (_gate)
        {
            var quota = Get(key);
            switch (instrument)
            {
                case "fastbucket.quota.grants":
                    quota.Grants += delta;
                    quota.GrantsPerSecond = delta / _intervalSeconds;
                    break;
                case "fastbucket.quota.refusals":
                    quota.Refusals += delta;
                    break;
                case "fastbucket.http.rate_limited":
                    quota.RateLimited += delta;
                    break;
                case "fastbucket.http.retries":
                    quota.Retries += delta;
                    break;
                default:
                    return;
            }
        }

        Interlocked.Increment(ref _events);
    }

    /// <summary>Records one gauge's last value (<c>fastbucket.quota.available</c>, per dimension).</summary>
    public void OnGauge(string instrument, string tags, string lastValue)
    {
        if (instrument != "fastbucket.quota.available" || !TryParse(lastValue, out double level) || !TryQuota(tags, out var key, out var dimension) || dimension is null)
        {
            return;
        }

        lock (_gate)
        {
            Get(key).Available[dimension] = level;
        }

        Interlocked.Increment(ref _events);
    }

    /// <summary>Records one histogram's quantiles over the last interval (<c>fastbucket.quota.wait</c>), e.g. <c>0.5=0.1;0.95=0.3;0.99=0.4</c>.</summary>
    public void OnHistogram(string instrument, string tags, string quantiles)
    {
        if (instrument != "fastbucket.quota.wait" || !TryQuota(tags, out var key, out _))
        {
            return;
        }

        double? p50 = null;
        double? p95 = null;
        foreach (var part in quantiles.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && TryParse(part[(equals + 1)..], out double value))
            {
                switch (part[..equals])
                {
                    case "0.5":
                        p50 = value;
                        break;
                    case "0.95":
                        p95 = value;
                        break;
                }
            }
        }

        lock (_gate)
        {
            var quota = Get(key);
            quota.WaitP50 = p50;
            quota.WaitP95 = p95;
        }

        Interlocked.Increment(ref _events);
    }

    /// <summary>Every quota seen so far, ordered by provider and model.</summary>
    public IReadOnlyList<QuotaMonitorRow> Snapshot()
    {
        lock (_gate)
        {
            return _quotas
                .OrderBy(q => q.Key.Provider, StringComparer.Ordinal)
                .ThenBy(q => q.Key.Model, StringComparer.Ordinal)
                .Select(q => new QuotaMonitorRow(
                    q.Key.Provider, q.Key.Model, q.Value.Grants, q.Value.GrantsPerSecond, q.Value.Refusals, q.Value.RateLimited, q.Value.Retries,
                    q.Value.WaitP50, q.Value.WaitP95, new SortedDictionary<string, double>(q.Value.Available, StringComparer.Ordinal)))
                .ToList();
        }
    }

    private Accumulator Get((string, string) key)
    {
        if (!_quotas.TryGetValue(key, out var quota))
        {
            quota = new Accumulator();
            _quotas.Add(key, quota);
        }

        return quota;
    }

    /// <summary>Reads <c>provider=OpenAI,model=gpt-4o-mini[,dimension=TokensPerMinute]</c>.</summary>
    private static bool TryQuota(string tags, out (string Provider, string Model) key, out string? dimension)
    {
        string? provider = null;
        string? model = null;
        dimension = null;
        foreach (var pair in tags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            string value = pair[(equals + 1)..];
            switch (pair[..equals])
            {
                case "provider":
                    provider = value;
                    break;
                case "model":
                    model = value;
                    break;
                case "dimension":
                    dimension = value;
                    break;
            }
        }

        key = (provider ?? string.Empty, model ?? string.Empty);
        return provider is not null && model is not null;
    }

    private static bool TryParse(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private sealed class Accumulator
    {
        public double Grants { get; set; }

        public double GrantsPerSecond { get; set; }

        public double Refusals { get; set; }

        public double RateLimited { get; set; }

        public double Retries { get; set; }

        public double? WaitP50 { get; set; }

        public double? WaitP95 { get; set; }

        public Dictionary<string, double> Available { get; } = new(StringComparer.Ordinal);
    }
}
