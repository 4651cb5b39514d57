using System.Globalization;
using FastBucket.E2E;
using FastBucket.E2E.Contenders;
using FastBucket.E2E.Contenders.Cookbook;
using FastBucket.E2E.Fidelity;
using FastBucket.E2E.Measurement;
using FastBucket.E2E.Reporting;
using FastBucket.E2E.Workload;

E2EOptions options;
try
{
    options = E2EOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupt.Cancel();
};

if (options.Matrix != MatrixMode.None)
{
    return await FidelityMatrix.RunAsync(options, interrupt.Token);
}

var limits = new LimitShape(options.RequestsPerMinute, options.TokensPerMinute);
var requests = WorkloadGenerator.Generate(options.Requests, options.Seed);
var workload = WorkloadSummary.Of(requests);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{requests.Count} requests, {limits.RequestsPerMinute} RPM / {limits.TokensPerMinute} TPM, latency {options.Latency}, seed {options.Seed}"));
Console.WriteLine(workload.Describe());

var all = new Dictionary<string, IContender>
{
    ["fastbucket"] = new FastBucketContender(),
    ["resilience"] = new StandardResilienceContender(),
    ["polly"] = new PollyTokenBucketContender(),
    ["cookbook"] = new CookbookContender(),
};

var started = DateTimeOffset.UtcNow;
var results = new List<ContenderResult>();
foreach (var key in E2EOptions.ContenderKeys.Where(options.Only.Contains))
{
    var contender = all[key];
    Console.WriteLine($"-- {contender.Name} ...");
    var result = await ContenderRun.RunAsync(contender, requests, limits, options.Latency, options.Seed, interrupt.Token);
    results.Add(result);
    Console.WriteLine(ResultsReport.ConsoleLine(result));
    Console.WriteLine("   " + result.Notes);
}

Directory.CreateDirectory(options.OutDirectory);
string markdown = Path.Combine(options.OutDirectory, options.FileStem + ".md");
string csv = Path.Combine(options.OutDirectory, options.FileStem + ".csv");
await File.WriteAllTextAsync(markdown, ResultsReport.Markdown(results, options, limits, workload, started));
await File.WriteAllTextAsync(csv, ResultsReport.Csv(results));
Console.WriteLine($"wrote {markdown} and {csv}");
return 0;
