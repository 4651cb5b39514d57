using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using FastBucket.E2E.Contenders;
using FastBucket.E2E.Contenders.Cookbook;
using FastBucket.E2E.Workload;

namespace FastBucket.E2E.Fidelity;

/// <summary>
/// Every profile × {FastBucket with limits known, FastBucket with limits discovered, the three other contenders},
/// plus the course scenario, each cell on its own simulator and port, all cells at once so that the whole matrix
/// takes about as long as its slowest cell.
/// </summary>
internal static class FidelityMatrix
{
    public const string Latency = "uniform:200ms-800ms";

    public static async Task<int> RunAsync(E2EOptions options, CancellationToken cancellationToken)
    {
        bool smoke = options.Matrix == MatrixMode.Smoke;
        TimeSpan timeout = smoke ? TimeSpan.FromSeconds(25) : TimeSpan.FromMinutes(12);
        var profiles = new List<FidelityProfile>(FidelityProfile.All);
        if (!smoke)
        {
            profiles.Add(FidelityProfile.Course);
        }

        var cells = new List<(FidelityProfile Profile, IContender Contender, IReadOnlyList<WorkloadRequest> Requests)>();
        foreach (FidelityProfile profile in profiles.Where(p => options.Profiles is null || options.Profiles.Contains(p.Accounting)))
        {
            var requests = FidelityWorkload.Generate(profile, smoke ? profile.SmokeRequests : profile.Requests, options.Seed);
            foreach (IContender contender in Contenders(profile, options))
            {
                cells.Add((profile, contender, requests));
            }
        }

        string load = LoadAverage();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fidelity matrix{(smoke ? " (smoke)" : string.Empty)}: {cells.Count} cells (the no-limiter ones first, one at a time, then the rest at once), latency {Latency}, seed {options.Seed}, load average {load}"));
        var results = new ConcurrentBag<(int Order, FidelityResult Result)>();
        async Task RunCellAsync(int order)
        {
            var cell = cells[order];
            FidelityResult result = await FidelityCell.RunAsync(cell.Profile, cell.Contender, cell.Requests, Latency, options.Seed, timeout, options.ChargeLogDirectory, cancellationToken);
            results.Add((order, result));
            Console.WriteLine(FidelityReport.ConsoleLine(result, clock.Elapsed));
        }

        // The contender without a limiter sends everything at once and is over within its 30 s total timeout; run
        // alone, one at a time, its 10 s attempt timeout measures the provider rather than a machine busy with every
        // other cell starting (run among them, its attempts timed out before the simulator had read them).
        int[] unlimited = [.. Enumerable.Range(0, cells.Count).Where(i => cells[i].Contender is StandardResilienceContender)];
        foreach (int order in unlimited)
        {
            await RunCellAsync(order);
        }

        // Every other cell at once: the whole matrix takes about as long as its slowest cell.
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), completionPorts);
        await Task.WhenAll(Enumerable.Range(0, cells.Count).Except(unlimited).Select(async order =>
        {
            // Start each cell off the caller's thread so that a slow setup does not delay the others.
            await Task.Yield();
            await RunCellAsync(order);
        }));

        FidelityResult[] ordered = [.. results.OrderBy(r => r.Order).Select(r => r.Result)];
        string stem = smoke ? "fidelity-smoke" : "fidelity";
        Directory.CreateDirectory(options.OutDirectory);
        string markdown = Path.Combine(options.OutDirectory, stem + ".md");
        string csv = Path.Combine(options.OutDirectory, stem + ".csv");
        await File.WriteAllTextAsync(markdown, FidelityReport.Markdown(ordered, options, started, clock.Elapsed, load, LoadAverage(), smoke), cancellationToken);
        await File.WriteAllTextAsync(csv, FidelityReport.Csv(ordered), cancellationToken);
        Console.WriteLine(FidelityReport.Summary(ordered));
        Console.WriteLine($"wrote {markdown} and {csv} in {clock.Elapsed.TotalSeconds:0} s");
        return ordered.Any(r => r.Client.Succeeded == 0) ? 1 : 0;
    }

    private static IEnumerable<IContender> Contenders(FidelityProfile profile, E2EOptions options)
    {
        if (options.Only.Contains("fastbucket"))
        {
            yield return new FastBucketContender(profile.LibraryProvider, profile.KnownLimits);
            yield return new FastBucketContender(profile.LibraryProvider, null);
        }

        if (options.Only.Contains("resilience"))
        {
            yield return new StandardResilienceContender();
        }

        if (options.Only.Contains("polly"))
        {
            yield return new PollyTokenBucketContender();
        }

        if (options.Only.Contains("cookbook"))
        {
            yield return new CookbookContender();
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
