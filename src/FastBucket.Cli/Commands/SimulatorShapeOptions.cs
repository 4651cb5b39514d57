using System.CommandLine;
using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Faults;
using FastBucket.Simulator.Latency;

namespace FastBucket.Cli.Commands;

/// <summary>The <c>--latency --faults --accounting --enforcement</c> options of the commands that start the simulator.</summary>
internal sealed class SimulatorShapeOptions
{
    public SimulatorShapeOptions(string defaultLatency, string defaultAccounting = "lenient")
    {
        Accounting = new Option<string>("--accounting")
        {
            Description = $"How the simulator counts against limits, as a provider documents it: {string.Join(", ", AccountingModel.ProfileNames)}. Default: {defaultAccounting}.",
            DefaultValueFactory = _ => defaultAccounting,
            Validators = { r => { if (!AccountingModel.TryProfile(r.GetValueOrDefault<string>(), out _)) r.AddError($"--accounting: expected one of {string.Join(", ", AccountingModel.ProfileNames)}."); } },
        };
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

    public Option<string> Accounting { get; }

    public Option<string?> Enforcement { get; } = new("--enforcement")
    {
        Description = "Per-dimension overrides of the accounting, e.g. rpm=window:10s+refused,tpm=quantized:1s+keep,rpd=day:America/Los_Angeles (kinds: bucket, quantized:Ns, window:Ns, sliding, day:ZONE; flags: +keep no refund, +refused 429s charged).",
        Validators = { r => { if (r.GetValueOrDefault<string?>() is { } e && !new AccountingModel().TrySetDimensions(e, out string? error)) r.AddError("--enforcement: " + error); } },
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Accounting);
        command.Options.Add(Enforcement);
        command.Options.Add(Latency);
        command.Options.Add(Faults);
    }

    /// <summary>Sets the simulator's accounting, latency model and faults from the command line.</summary>
    public void ApplyTo(ParseResult parse, SimulatorOptions options)
    {
        options.Accounting = AccountingModel.Profile(parse.GetValue(Accounting)!);
        if (parse.GetValue(Enforcement) is { } enforcement && !options.Accounting.TrySetDimensions(enforcement, out string? error))
        {
            throw new InvalidOperationException("--enforcement was validated: " + error);
        }

        options.Latency = LatencyOptions.Parse(parse.GetValue(Latency)!);
        if (parse.GetValue(Faults) is { } faults)
        {
            options.Faults = FaultOptions.Parse(faults);
        }
    }
}
