using System.CommandLine;
using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Faults;
using FastBucket.Simulator.Latency;

namespace FastBucket.Cli.Commands;

/// <summary><c>fastbucket serve</c>: the provider simulator standalone on 127.0.0.1, until Ctrl-C.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "The port on 127.0.0.1 (0 picks a free one).", DefaultValueFactory = _ => 0 };
        port.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > 65535) r.AddError("--port must be from 0 to 65535."); });
        var limits = new Option<string?>("--limits") { Description = "Every provider's per-key, per-model limits, e.g. rpm=500,tpm=200000 (names: rpm, tpm, itpm, otpm, rpd, tpd; 'none' for unlimited). Default: each provider's own shape." };
        limits.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } l && !RateLimits.TryParse(l, out _)) r.AddError("--limits: expected e.g. rpm=500,tpm=200000 with positive integers."); });
        var latency = new Option<string>("--latency") { Description = "Response latency: none, fixed:50ms, uniform:100ms-400ms, lognormal:200ms[,sigma[,cap]].", DefaultValueFactory = _ => "none" };
        latency.Validators.Add(r => { if (!LatencyOptions.TryParse(r.GetValueOrDefault<string>(), out _)) r.AddError("--latency: expected none, fixed:50ms, uniform:100ms-400ms or lognormal:200ms[,sigma[,cap]]."); });
        var faults = new Option<string?>("--faults") { Description = "Injected faults, e.g. 500=0.01,503=0.02,529=0.01,reset=0.001,slow=0.05,noheaders=0.01,malformed=0.001." };
        faults.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } f && !FaultOptions.TryParse(f, out _)) r.AddError("--faults: expected name=rate pairs with rates from 0 to 1."); });
        var seed = new Option<int?>("--seed") { Description = "Seed for reproducible latencies, faults and texts." };

        var command = new Command("serve", "Run the provider simulator (OpenAI, Anthropic, Gemini, OpenRouter and Azure OpenAI dialects, with their rate-limit headers and 429s) on 127.0.0.1.")
        {
            port, limits, latency, faults, seed,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new SimulatorOptions { Port = parse.GetValue(port), Seed = parse.GetValue(seed), Latency = LatencyOptions.Parse(parse.GetValue(latency)!) };
            if (parse.GetValue(limits) is { } l)
            {
                options.RateLimits.SetAll(RateLimits.Parse(l));
            }

            if (parse.GetValue(faults) is { } f)
            {
                options.Faults = FaultOptions.Parse(f);
            }

            await using var simulator = await ProviderSimulator.StartAsync(options, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(simulator.BaseAddress);
            await Console.Error.WriteLineAsync($"""
                FastBucket simulator listening on {simulator.BaseAddress}
                  openai      {simulator.GetProviderBaseAddress(SimulatedProvider.OpenAI)}
                  anthropic   {simulator.GetProviderBaseAddress(SimulatedProvider.Anthropic)}
                  gemini      {simulator.GetProviderBaseAddress(SimulatedProvider.Gemini)}
                  openrouter  {simulator.GetProviderBaseAddress(SimulatedProvider.OpenRouter)}
                  azure       {simulator.GetProviderBaseAddress(SimulatedProvider.AzureOpenAI)}
                Any API key is accepted. Ctrl-C stops.
                """).ConfigureAwait(false);

            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var interruption = new ConsoleInterruption(cancellationToken);
            using var registration = interruption.Stop.Register(() => stopped.TrySetResult());
            await stopped.Task.ConfigureAwait(false);
            await Console.Error.WriteLineAsync(simulator.Statistics.ToString()).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
