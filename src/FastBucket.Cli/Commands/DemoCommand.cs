using System.CommandLine;
using FastBucket.Cli.Batch;
using FastBucket.Cli.Demo;
using FastBucket.Quotas;
using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Latency;

namespace FastBucket.Cli.Commands;

/// <summary>
/// <c>fastbucket demo</c>: the built-in simulator in this process with an OpenAI-like account, and a generated batch
/// run through exactly the machinery of <c>run</c>. No API key, no network.
/// </summary>
internal static class DemoCommand
{
    private const string DemoKey = "sk-fastbucket-demo-not-a-secret";

    public static Command Create()
    {
        var requests = new Option<int>("--requests", "-n") { Description = "Requests in the generated batch.", DefaultValueFactory = _ => 500 };
        requests.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1_000_000) r.AddError("--requests must be from 1 to 1000000."); });
        var rpm = new Option<long>("--rpm") { Description = "The simulated account's requests per minute.", DefaultValueFactory = _ => 600 };
        var tpm = new Option<long>("--tpm") { Description = "The simulated account's tokens per minute.", DefaultValueFactory = _ => 30_000 };
        rpm.Validators.Add(r => { if (r.GetValueOrDefault<long>() is < 1 or > 100_000_000) r.AddError("--rpm must be from 1 to 100000000."); });
        tpm.Validators.Add(r => { if (r.GetValueOrDefault<long>() is < 1 or > 1_000_000_000) r.AddError("--tpm must be from 1 to 1000000000."); });
        var shape = new SimulatorShapeOptions(defaultLatency: "uniform:100ms-400ms");
        var seed = new Option<int>("--seed") { Description = "Seed for the generated batch and the simulator.", DefaultValueFactory = _ => 42 };
        var output = new Option<string>("--output", "-o") { Description = "The results file (replaced).", DefaultValueFactory = _ => "fastbucket-demo.results.jsonl" };
        var progress = new ProgressOptions();

        var command = new Command("demo", "Run a generated batch against the built-in simulator (an OpenAI-like account) with the live dashboard; no API key, no network.")
        {
            requests, rpm, tpm, seed, output,
        };
        shape.AddTo(command);
        progress.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var limits = new RateLimits { RequestsPerMinute = parse.GetValue(rpm), TokensPerMinute = parse.GetValue(tpm) };
            var simulatorOptions = new SimulatorOptions { Seed = parse.GetValue(seed) };
            simulatorOptions.RateLimits.SetAll(limits);
            shape.ApplyTo(parse, simulatorOptions);

            await using var simulator = await ProviderSimulator.StartAsync(simulatorOptions, cancellationToken).ConfigureAwait(false);
            string outputPath = parse.GetValue(output)!;
            File.Delete(outputPath); // a demo starts over; `run` is the command that resumes

            var options = new BatchRunOptions
            {
                Endpoint = ProviderEndpoint.For("openai"),
                BaseUrl = simulator.BaseAddress,
                ApiKey = DemoKey,
                // The account's limits as its owner knows them (its tier): FastBucket paces to them from the first request.
                Quotas = new QuotaRegistryOptions
                {
                    Limits = new QuotaLimits { RequestsPerMinute = limits.RequestsPerMinute, TokensPerMinute = limits.TokensPerMinute },
                },
                OutputPath = outputPath,
            };

            int count = parse.GetValue(requests);
            bool jsonOutput = parse.GetValue(progress.Json);
            if (!jsonOutput)
            {
                await Console.Error.WriteLineAsync($"Simulator on {simulator.BaseAddress} (OpenAI-like: {limits.RequestsPerMinute} RPM, {limits.TokensPerMinute} TPM, accounting {simulatorOptions.Accounting.Name}, latency {parse.GetValue(shape.Latency)}); sending {count} chat requests.").ConfigureAwait(false);
            }

            var summary = await BatchExecution.RunAsync(
                options,
                DemoBatch.GenerateAsync(count, "gpt-4o-mini", parse.GetValue(seed), cancellationToken),
                stats => stats.SetTotal(count),
                "fastbucket demo → simulated OpenAI",
                parse,
                progress,
                cancellationToken).ConfigureAwait(false);

            if (!jsonOutput)
            {
                await Console.Error.WriteLineAsync($"The simulator received {simulator.Statistics.Requests} requests and answered 429 to {simulator.Statistics.RateLimited}.").ConfigureAwait(false);
            }

            return summary.ExitCode;
        });
        return command;
    }
}
