using System.CommandLine;
using FastBucket.Simulator;
using FastBucket.Simulator.Faults;
using FastBucket.Simulator.Latency;

namespace FastBucket.Cli.Commands;

/// <summary>The <c>--latency --faults</c> options of the commands that start the simulator.</summary>
internal sealed class SimulatorShapeOptions
{
    public SimulatorShapeOptions(string defaultLatency)
    {
        Latency = new Option<string>("--latency")
        {
            Description = "Simulated response latency: none, fixed:50ms, uniform:100ms-400ms, lognormal:200ms[,sigma[,cap]].",
            DefaultValueFactory = _ => defaultLatency,
            Validators = { r => { if (!LatencyOptions.TryParse(r.GetValueOrDefault<string>(), out _)) r.AddError("--latency: expected none, fixed:50ms, uniform:100ms-400ms or lognormal:200ms[,sigma[,cap]]."); } },
        };
    }

    public Option<string> Latency { get; }

    public Option<string?> Faults { get; } = new("--faults")
    {
        Description = "Injected faults, e.g. 500=0.01,503=0.02,529=0.01,reset=0.001,slow=0.05,noheaders=0.01,malformed=0.001.",
        Validators = { r => { if (r.GetValueOrDefault<string?>() is { } f && !FaultOptions.TryParse(f, out _)) r.AddError("--faults: expected name=rate pairs (500, 503, 529, reset, slow, noheaders, malformed) with rates from 0 to 1."); } },
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Latency);
        command.Options.Add(Faults);
    }

    /// <summary>Sets the simulator's latency model and faults from the command line.</summary>
    public void ApplyTo(ParseResult parse, SimulatorOptions options)
    {
        options.Latency = LatencyOptions.Parse(parse.GetValue(Latency)!);
        if (parse.GetValue(Faults) is { } faults)
        {
            options.Faults = FaultOptions.Parse(faults);
        }
    }
}
