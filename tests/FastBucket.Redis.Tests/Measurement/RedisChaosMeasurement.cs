using System.Diagnostics;
using System.Globalization;
using System.Text;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Redis.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace FastBucket.Redis.Tests.Measurement;

/// <summary>
/// Writes the fault table of perf-results/redis.md: three processes (three connections) share one quota while Redis
/// stalls, dies or refuses, under each failure policy. Real time: a measurement, not a test.
/// </summary>
public sealed class RedisChaosMeasurement(ITestOutputHelper output)
{
    private const int Rpm = 120; // 2 per second, a burst of 120
    private const int Processes = 3;
    private const int WorkersPerProcess = 4;
    private static readonly TimeSpan RecoveryWatch = TimeSpan.FromSeconds(20);
    internal const string Marker = "## Faults";

    private sealed record Row(string Fault, RedisFailurePolicy Policy, long Admitted, double Bound, double Seconds, long LeasesAfter, double RecoverySeconds);

    [MeasureFact]
    [Trait("Category", "Measure")]
    public async Task Measure_FaultsUnderEachPolicy_WritesTheChaosTable()
    {
        var rows = new List<Row>();
        foreach (var policy in new[] { RedisFailurePolicy.FailClosed, RedisFailurePolicy.DegradeToLocal })
        {
            foreach (var (name, duration) in new[] { ("stall 0.5 s (CLIENT PAUSE)", 0.5), ("stall 1.5 s (CLIENT PAUSE)", 1.5), ("stall 5 s (CLIENT PAUSE)", 5.0), ("kill, restart after 2 s", 2.0), ("NOPERM for 2 s (ACL)", 2.0) })
            {
                var row = await RunAsync(name, duration, policy);
                output.WriteLine(row.ToString());
                rows.Add(row);
            }
        }

        var md = new StringBuilder()
            .AppendLine(Marker)
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Three processes (three connections, one `RedisQuota` each, `ExpectedInstances = 3`) share {Rpm} RPM (a burst of {Rpm}, 2 per second) and 6 concurrent requests; each runs {WorkersPerProcess} callers that reserve, hold the request 50 ms and complete it, for 1 s, then through the fault, then 4 s more (longer, up to {RecoveryWatch.TotalSeconds:0} s, until every process is back on Redis). `OperationTimeout` is 200 ms. Bound: what the docs promise, the shared bucket's burst plus its refill over the run (`{Rpm} + 2/s × seconds`), for both policies (the local fallback starts from 1/N of the last shared level, not full); after a restart without persistence, one burst more (the restarted server starts every bucket full). Leases left: the lease set's size 1 s after the run's last request ended (0 means nothing stays held). Recovery: from the fault's end until every process is back on Redis. Measured by `RedisChaosMeasurement` (`FASTBUCKET_MEASURE=1 dotnet test tests/FastBucket.Redis.Tests --filter Category=Measure`) on a machine shared with other builds.")
            .AppendLine()
            .AppendLine("| fault | policy | run | admitted | bound | leases left | time to recover |")
            .AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Fault} | {r.Policy} | {r.Seconds:0.0} s | {r.Admitted} | {r.Bound:0} | {r.LeasesAfter} | {(double.IsNaN(r.RecoverySeconds) ? $"not within {RecoveryWatch.TotalSeconds:0} s" : $"{r.RecoverySeconds:0.00} s")} |");
        }

        var path = Path.Combine(RepositoryRoot(), "perf-results", "redis.md");
        string existing = File.Exists(path) ? await File.ReadAllTextAsync(path) : string.Empty;
        int at = existing.IndexOf(Marker, StringComparison.Ordinal);
        string head = (at >= 0 ? existing[..at] : existing).TrimEnd();
        await File.WriteAllTextAsync(path, head + Environment.NewLine + Environment.NewLine + md);
        Assert.All(rows, r => Assert.True(r.Admitted > 0));
    }

    private static async Task<Row> RunAsync(string fault, double faultSeconds, RedisFailurePolicy policy)
    {
        await using var server = await RedisServer.StartAsync();
        await server.ExecuteAsync("ACL", "SETUSER", "worker", "on", ">pw", "~*", "+@all");
        var connections = new List<ConnectionMultiplexer>();
        var quotas = new List<RedisQuota>();
        string prefix = "chaos" + Guid.NewGuid().ToString("N")[..8];
        for (int p = 0; p < Processes; p++)
        {
            var connection = await server.ConnectAsync(user: "worker");
            connections.Add(connection);
            quotas.Add(new RedisQuota(connection, new QuotaKey(LlmProvider.OpenAI, "chaos"), new QuotaLimits { RequestsPerMinute = Rpm, MaxConcurrency = 6 }, new RedisQuotaOptions
            {
                KeyPrefix = prefix,
                FailurePolicy = policy,
                ExpectedInstances = Processes,
                OperationTimeout = TimeSpan.FromMilliseconds(200),
            }));
        }

        long admitted = 0;
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var workers = quotas.SelectMany(q => Enumerable.Range(0, WorkersPerProcess).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                QuotaReservation reservation;
                try
                {
                    reservation = await q.ReserveAsync(new RequestCost(1, 0, 0), stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                Interlocked.Increment(ref admitted);
                await Task.Delay(50, CancellationToken.None);
                reservation.Complete(default);
            }
        }))).ToList();

        await Task.Delay(1_000);
        var restore = faultSeconds;
        switch (fault)
        {
            case var f when f.StartsWith("stall", StringComparison.Ordinal):
                await server.ExecuteAsync("CLIENT", "PAUSE", ((int)(faultSeconds * 1000)).ToString(CultureInfo.InvariantCulture), "ALL");
                await Task.Delay(TimeSpan.FromSeconds(faultSeconds));
                break;
            case var f when f.StartsWith("kill", StringComparison.Ordinal):
                await server.StopAsync();
                await Task.Delay(TimeSpan.FromSeconds(faultSeconds));
                await server.StartAgainAsync();
                await server.ExecuteAsync("ACL", "SETUSER", "worker", "on", ">pw", "~*", "+@all");
                break;
            default:
                await server.ExecuteAsync("ACL", "SETUSER", "worker", "-eval", "-evalsha");
                await Task.Delay(TimeSpan.FromSeconds(faultSeconds));
                await server.ExecuteAsync("ACL", "SETUSER", "worker", "+@all");
                break;
        }

        // The run goes on 4 s past the fault, and longer (up to RecoveryWatch) until every process is back on Redis:
        // only a caller's probe finds that out, so the callers must still be there. A row that never recovered says so.
        var faultEnded = clock.Elapsed;
        double recovery = double.NaN;
        while (clock.Elapsed < faultEnded + TimeSpan.FromSeconds(4)
            || (double.IsNaN(recovery) && clock.Elapsed < faultEnded + RecoveryWatch))
        {
            // A process whose callers sent nothing while Redis was away never failed and is not degraded: it needs no
            // recovery (before, it was waited for as if it were still away, and the kill rows read "never").
            if (double.IsNaN(recovery) && quotas.Any(q => q.LastFailure is not null) && quotas.All(q => !q.IsDegraded))
            {
                recovery = (clock.Elapsed - faultEnded).TotalSeconds;
            }

            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(1_000);
        foreach (var q in quotas)
        {
            await q.RefreshAsync();
            await q.FlushAsync();
            await q.FlushAsync();
        }

        await using var admin = await server.ConnectAsync();
        long leases = await admin.GetDatabase().SortedSetLengthAsync(quotas[0].RedisKey + ":inflight");
        quotas.ForEach(q => q.Dispose());
        foreach (var c in connections)
        {
            await c.DisposeAsync();
        }

        // A restart without persistence starts the shared bucket full again: the docs promise one more burst then.
        double bursts = fault.StartsWith("kill", StringComparison.Ordinal) ? 2 : 1;
        return new Row(fault, policy, admitted, (bursts * Rpm) + (Rpm / 60.0 * seconds), seconds, leases, recovery);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FastBucket.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("FastBucket.sln not found above the test directory.");
    }
}
