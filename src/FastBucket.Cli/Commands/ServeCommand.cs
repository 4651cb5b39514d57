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
        var shape = new SimulatorShapeOptions(defaultLatency: "none");
        var seed = new Option<int?>("--seed") { Description = "Seed for reproducible latencies, faults and texts." };

        var command = new Command("serve", "Run the provider simulator (OpenAI, Anthropic, Gemini, OpenRouter and Azure OpenAI dialects, with their rate-limit headers and 429s) on 127.0.0.1.")
        {
            port, limits, seed,
        };
        shape.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new SimulatorOptions { Port = parse.GetValue(port), Seed = parse.GetValue(seed) };
            shape.ApplyTo(parse, options);
            if (parse.GetValue(limits) is { } l)
            {
                options.RateLimits.SetAll(RateLimits.Parse(l));
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
                Accounting: {options.Accounting}
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
