using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using FastBucket.Redis.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FastBucket.Redis.Tests.Measurement;

/// <summary>Writes perf-results/redis.md and redis.csv: reservation latency and throughput over loopback.</summary>
public sealed class RedisQuotaLatencyMeasurement(ITestOutputHelper output)
{
    [MeasureFact]
    [Trait("Category", "Measure")]
    public async Task Measure_ReservationLatencyAndThroughput_WritesPerfResults()
    {
        await using var server = await RedisServer.StartAsync();
        await using var redis = await server.ConnectAsync();
        var results = new List<RedisQuotaLatencyProbe.Result>();
        foreach (var windowing in new[] { null, FastBucket.Quotas.Windows.QuotaWindowing.For(FastBucket.Providers.LlmProvider.Generic) })
        {
            foreach (int callers in new[] { 1, 8 })
            {
                results.Add(await RedisQuotaLatencyProbe.RunAsync(redis, callers, TimeSpan.FromSeconds(5), $"probe{callers}{(windowing is null ? "c" : "s")}", windowing));
            }
        }

        string machine = $"{Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.OSArchitecture}";
        string runtime = $"{RuntimeInformation.FrameworkDescription}, StackExchange.Redis {typeof(StackExchange.Redis.IDatabase).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false).OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0]}, {RedisVersion(server)}";
        var csv = new StringBuilder("callers,shape,reservations,seconds,reservations_per_second,p50_us,p99_us,machine,runtime\n");
        var md = new StringBuilder()
            .AppendLine("# Redis quota: reservation latency and throughput")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}. Runtime: {runtime}. Redis on loopback (127.0.0.1), no persistence, same machine as the client; other builds shared the machine's CPUs while this ran, so the tail (p99) is noisy.")
            .AppendLine()
            .AppendLine("One reservation is one `EVALSHA` round trip (all dimensions checked and charged together); each is completed with usage, which sends one more script call without waiting for it. Limits are high enough that nothing is refused. Each caller count runs twice: with continuous buckets (no windowing) and with the safe shape (`QuotaWindowing.For(Generic)`: the burst cells and the window rule's per-second counts, a few more hash commands per call), on one server in one run. Measured by `RedisQuotaLatencyProbe` (`FASTBUCKET_MEASURE=1 dotnet test tests/FastBucket.Redis.Tests --filter Category=Measure`), 5 s per row after a warm-up.")
            .AppendLine()
            .AppendLine("| callers | shape | reservations | reservations/s | p50 latency | p99 latency |")
            .AppendLine("|---:|---|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            csv.AppendLine(CultureInfo.InvariantCulture, $"{r.Callers},\"{r.Shape}\",{r.Reservations},{r.Elapsed.TotalSeconds:F2},{r.PerSecond:F0},{r.P50Microseconds:F0},{r.P99Microseconds:F0},\"{machine}\",\"{runtime}\"");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Callers} | {r.Shape} | {r.Reservations:N0} | {r.PerSecond:N0} | {r.P50Microseconds:N0} µs | {r.P99Microseconds:N0} µs |");
            output.WriteLine($"{r.Callers} callers, {r.Shape}: {r.PerSecond:N0}/s, p50 {r.P50Microseconds:N0} µs, p99 {r.P99Microseconds:N0} µs");
        }

        var dir = Path.Combine(RepositoryRoot(), "perf-results");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "redis.csv"), csv.ToString());
        // The fault table (RedisChaosMeasurement) follows this part and is kept.
        var path = Path.Combine(dir, "redis.md");
        string existing = File.Exists(path) ? await File.ReadAllTextAsync(path) : string.Empty;
        int faults = existing.IndexOf(RedisChaosMeasurement.Marker, StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, md.ToString() + (faults >= 0 ? Environment.NewLine + existing[faults..] : string.Empty));
        Assert.All(results, r => Assert.True(r.Reservations > 0));
    }

    private static string RedisVersion(RedisServer server)
    {
        var info = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(server.Executable, "--version") { RedirectStandardOutput = true })!;
        var text = info.StandardOutput.ReadToEnd().Trim();
        info.WaitForExit();
        return text;
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
