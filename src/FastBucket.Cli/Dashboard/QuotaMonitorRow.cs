namespace FastBucket.Cli.Dashboard;

/// <summary>What <c>fastbucket monitor</c> knows of one quota of the watched process, from its FastBucket meter.</summary>
/// <param name="Provider">The quota's provider, as the meter tags it.</param>
/// <param name="Model">The quota's model.</param>
/// <param name="Grants">Reservations granted since the monitor attached.</param>
/// <param name="GrantsPerSecond">Reservations granted per second over the last interval.</param>
/// <param name="Refusals">Reservations refused since the monitor attached.</param>
/// <param name="RateLimited">429 responses since the monitor attached.</param>
/// <param name="Retries">Retries since the monitor attached.</param>
/// <param name="WaitP50">The median wait for room over the last interval, in seconds, when reported.</param>
/// <param name="WaitP95">The 95th percentile wait for room over the last interval, in seconds, when reported.</param>
/// <param name="Available">Each limited dimension's level, by dimension name.</param>
internal sealed record QuotaMonitorRow(
    string Provider,
    string Model,
    double Grants,
    double GrantsPerSecond,
    double Refusals,
    double RateLimited,
    double Retries,
    double? WaitP50,
    double? WaitP95,
    IReadOnlyDictionary<string, double> Available);
