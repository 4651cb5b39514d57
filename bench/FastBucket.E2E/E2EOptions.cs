using System.Globalization;
using FastBucket.E2E.Fidelity;

namespace FastBucket.E2E;

/// <summary>
/// The command line: <c>[--quick] [--requests N] [--rpm N] [--tpm N] [--latency SPEC] [--seed N] [--only a,b] [--out DIR]</c>,
/// or the fidelity matrix: <c>--matrix | --matrix-smoke [--profiles a,b] [--only a,b] [--seed N] [--out DIR]</c>.
/// </summary>
internal sealed record E2EOptions
{
    public static readonly string[] ContenderKeys = ["fastbucket", "resilience", "polly", "cookbook"];

    public int Requests { get; init; } = 1_000;

    public bool Quick { get; init; }

    public long RequestsPerMinute { get; init; } = 600;

    public long TokensPerMinute { get; init; } = 60_000;

    public string Latency { get; init; } = "uniform:200ms-800ms";

    public int Seed { get; init; } = 42;

    public IReadOnlyList<string> Only { get; init; } = ContenderKeys;

    public string OutDirectory { get; init; } = "perf-results";

    /// <summary>Where each matrix cell writes the simulator's charge log (one line per charge), or null for none: the evidence behind a cell's 429s.</summary>
    public string? ChargeLogDirectory { get; init; }

    public MatrixMode Matrix { get; init; }

    /// <summary>The matrix's profiles to run (accounting names); <see langword="null"/> for all.</summary>
    public IReadOnlyList<string>? Profiles { get; init; }

    /// <summary>e2e for the full run, e2e-quick for a sanity run, so that a quick run never overwrites the results.</summary>
    public string FileStem => Quick ? "e2e-quick" : "e2e";

    public required string CommandLine { get; init; }

    public static E2EOptions Parse(string[] args)
    {
        var options = new E2EOptions { CommandLine = "dotnet run -c Release --project bench/FastBucket.E2E --" + string.Concat(args.Select(a => " " + a)) };
        if (args.Contains("--quick"))
        {
            // Fewer requests against a smaller bucket: still limited (its reservations are about 1.6 times the TPM burst), done in under a minute per contender.
            options = options with { Quick = true, Requests = 150, RequestsPerMinute = 1_200, TokensPerMinute = 24_000 };
        }

        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.", nameof(args));
            options = args[i] switch
            {
                "--quick" => options,
                "--matrix" => options with { Matrix = MatrixMode.Full },
                "--matrix-smoke" => options with { Matrix = MatrixMode.Smoke },
                "--profiles" => options with { Profiles = ParseProfiles(Value()) },
                "--requests" => options with { Requests = Positive(Value(), "--requests", 1, 100_000) },
                "--rpm" => options with { RequestsPerMinute = Positive(Value(), "--rpm", 60, 10_000_000) },
                "--tpm" => options with { TokensPerMinute = Positive(Value(), "--tpm", 60, 100_000_000) },
                "--latency" => options with { Latency = Value() },
                "--seed" => options with { Seed = Positive(Value(), "--seed", 0, int.MaxValue) },
                "--out" => options with { OutDirectory = Value() },
                "--charge-logs" => options with { ChargeLogDirectory = Value() },
                "--only" => options with { Only = ParseOnly(Value()) },
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'. Use --matrix, --matrix-smoke, --profiles a,b, --quick, --requests N, --rpm N, --tpm N, --latency SPEC, --seed N, --only {string.Join(',', ContenderKeys)}, --out DIR, --charge-logs DIR.", nameof(args)),
            };
        }

        return options;
    }

    private static int Positive(string text, string name, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw new ArgumentOutOfRangeException(name, text, $"{name} must be a whole number from {min} to {max}.");

    private static string[] ParseProfiles(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var known = FidelityProfile.All.Select(p => p.Accounting).ToArray();
        foreach (var name in names)
        {
            if (!known.Contains(name))
            {
                throw new ArgumentOutOfRangeException("--profiles", name, $"--profiles takes a comma-separated list of: {string.Join(", ", known)}.");
            }
        }

        return names;
    }

    private static string[] ParseOnly(string text)
    {
        var keys = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var key in keys)
        {
            if (!ContenderKeys.Contains(key))
            {
                throw new ArgumentOutOfRangeException("--only", key, $"--only takes a comma-separated list of: {string.Join(", ", ContenderKeys)}.");
            }
        }

        return keys;
    }
}
