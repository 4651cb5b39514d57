using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using FastBucket.Simulator.Accounting;

namespace FastBucket.E2E.Fidelity;

/// <summary>Writes the matrix as console lines, perf-results/fidelity.md and perf-results/fidelity.csv.</summary>
internal static class FidelityReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string ConsoleLine(FidelityResult r, TimeSpan elapsed) => string.Create(
        Invariant,
        $"[{elapsed.TotalSeconds,5:0}s] {r.Profile.Name,-16} {r.Contender,-36} 429s {r.RateLimited,5}  failed {r.OtherFailures,4}  share {r.BindingShare,6:P1} ({Short(r.Binding)})  wall {r.Client.WallSeconds,6:0.0} s (shortest {Shortest(r)}){(r.TimedOut ? "  TIMED OUT" : string.Empty)}");

    /// <summary>
    /// The issue's goal for FastBucket's rows: 0 429s with limits known, at most 3 discovered, share at least 90% (95% on
    /// a continuous bucket) or, where that is lower, the share of the shortest run itself, no failures.
    /// </summary>
    public static string Goal(FidelityResult r)
    {
        if (!r.Contender.StartsWith("FastBucket", StringComparison.Ordinal))
        {
            return string.Empty;
        }

        bool discovered = r.Contender.Contains("discovered", StringComparison.Ordinal);
        bool continuous = r.Binding is RateLimitDimension binding && r.Profile.AccountingModel()[binding].Enforcement == EnforcementKind.TokenBucket;
        // A workload that ends inside a fixed window or a log period leaves part of it unused in any run, the shortest
        // included (70 requests at 20 per window: 4 windows begun, 87.5% at best); no sender can beat that share.
        double shareGoal = Math.Min(continuous ? 0.95 : 0.90, r.BestShare - 1e-9);
        var missed = new List<string>();
        if (r.RateLimited > (discovered ? 3 : 0))
        {
            missed.Add(discovered ? "> 3 429s" : "429s");
        }

        if (r.OtherFailures > 0 || r.TimedOut)
        {
            missed.Add("failures");
        }

        if (r.BindingShare < shareGoal)
        {
            missed.Add(string.Create(Invariant, $"share < {shareGoal:P1}"));
        }

        return missed.Count == 0 ? "met" : "missed: " + string.Join(", ", missed);
    }

    public static string Summary(IReadOnlyList<FidelityResult> results)
    {
        var fastBucket = results.Where(r => Goal(r).Length > 0).ToArray();
        return string.Create(Invariant, $"FastBucket met the goal in {fastBucket.Count(r => Goal(r) == "met")} of {fastBucket.Length} cells.");
    }

    public static string Csv(IReadOnlyList<FidelityResult> results)
    {
        var csv = new StringBuilder();
        csv.AppendLine("profile,accounting,contender,requests,ok,other_failures,http_429,binding_limit,binding_limit_share,best_share,wall_s,shortest_wall_s,sends,retries,sim_requests,sim_admitted,cache_read_tokens,timed_out,goal");
        foreach (FidelityResult r in results)
        {
            var c = r.Client;
            csv.AppendLine(string.Create(
                Invariant,
                $"\"{r.Profile.Name}\",{r.Profile.Accounting},\"{r.Contender}\",{c.Succeeded + c.Failed},{c.Succeeded},{r.OtherFailures},{r.RateLimited},{Short(r.Binding)},{r.BindingShare:0.0000},{r.BestShare:0.0000},{c.WallSeconds:0.000},{Seconds(r.ShortestWallSeconds)},{c.Sends},{c.Retries},{r.Requests},{r.Admitted},{r.CacheReadTokens},{(r.TimedOut ? "true" : "false")},\"{Goal(r)}\""));
        }

        return csv.ToString();
    }

    public static string Markdown(IReadOnlyList<FidelityResult> results, E2EOptions options, DateTimeOffset started, TimeSpan elapsed, string loadBefore, string loadAfter, bool smoke)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(Invariant));

        Line($"# Provider fidelity matrix{(smoke ? " (smoke: short runs, not results)" : string.Empty)}");
        md.AppendLine();
        Line($"Written by `dotnet run -c Release --project bench/FastBucket.E2E -- {(smoke ? "--matrix-smoke" : "--matrix")}` (do not edit by hand; run it again). Started {started:yyyy-MM-dd HH:mm} UTC, {results.Count} cells (those of the contender without a limiter first, one at a time; then all others at once), {elapsed.TotalMinutes:0.0} min in all.");
        Line($"Machine: {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}; load average (1, 5, 15 min) {loadBefore} before, {loadAfter} after: the machine was shared with other builds, so wall times carry scheduling noise.");
        Line($"Latency `{FidelityMatrix.Latency}` before the first byte, simulator and workload seed {options.Seed}. Each cell has its own simulator on its own loopback port, with a full account.");
        md.AppendLine();
        md.AppendLine("Workload per profile: half short prompts (20-60 words), half long (300-500 words) of an English passage; max_tokens 100-400, the simulator generating 30-100% of it; for Anthropic, half of the requests share a ~1,600-token system prefix marked `cache_control`. The prompt is counted by the simulator's own rule (about 4 UTF-8 bytes per token, plus 4 per message and 3 per conversation), not by any contender's estimator. Every request names the model `fidelity-model`, which FastBucket's catalog does not know, so \"limits discovered\" means learned from the provider's signals only.");
        md.AppendLine();
        md.AppendLine("Goal (issue \"Provider fidelity I\", for the library to meet): limits known → 0 429s; limits discovered → at most 3 429s; share of the binding limit ≥ 90% (≥ 95% where the binding limit is a continuous bucket) or, where it is lower, the best share (that of the shortest run all the profile's limits admit together: a workload that ends inside a fixed window or a log period leaves the rest of it unused in any run), no failures.");
        md.AppendLine();

        md.AppendLine("## FastBucket against the goal");
        md.AppendLine();
        md.AppendLine("| Profile | Limits | 429s | Other failures | Binding limit share | Best share | Wall s | Shortest wall s | Goal |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (FidelityResult r in results.Where(r => Goal(r).Length > 0))
        {
            var c = r.Client;
            Line($"| {r.Profile.Name} | {(r.Contender.Contains("discovered", StringComparison.Ordinal) ? "discovered" : "known")} | {r.RateLimited:N0} | {r.OtherFailures:N0} | {r.BindingShare:P1} ({Short(r.Binding)}) | {r.BestShare:P1} | {c.WallSeconds:0.0}{(r.TimedOut ? " (timed out)" : string.Empty)} | {Shortest(r)} | {Goal(r)} |");
        }

        md.AppendLine();
        md.AppendLine(Summary(results));
        md.AppendLine();
        md.AppendLine("## Every contender, per profile");
        foreach (IGrouping<FidelityProfile, FidelityResult> group in results.GroupBy(r => r.Profile))
        {
            FidelityProfile profile = group.Key;
            md.AppendLine();
            Line($"### {profile.Name}: {profile.Limits} ({group.First().Client.Succeeded + group.First().Client.Failed} requests)");
            md.AppendLine();
            Line($"Accounting: {Describe(profile)}.");
            md.AppendLine();
            md.AppendLine("| Contender | 429s | Other failures | Binding limit share | Wall s | Shortest wall s | Sends | Cache-read tokens |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (FidelityResult r in group)
            {
                var c = r.Client;
                Line($"| {r.Contender} | {r.RateLimited:N0} | {r.OtherFailures:N0} | {r.BindingShare:P1} ({Short(r.Binding)}) | {c.WallSeconds:0.0}{(r.TimedOut ? " (timed out)" : string.Empty)} | {Shortest(r)} | {c.Sends:N0} | {r.CacheReadTokens:N0} |");
            }

            md.AppendLine();
            foreach (FidelityResult r in group)
            {
                Line($"- {r.Contender}: {r.Notes}.");
            }
        }

        md.AppendLine();
        md.AppendLine("## Columns");
        md.AppendLine();
        md.AppendLine("- **429s**: counted by the simulator. **Other failures**: requests that did not end in success (given up after 429s, timed out, circuit open).");
        md.AppendLine("- **Binding limit**: the dimension whose enforcement needs the longest run for what the workload consumed. **Share**: everything the simulator counted on it (admission charges, less refunds where the profile settles, plus refused requests where the profile charges them) over what its enforcement admits in the run's wall time starting full: bucket L + L/60 s × t; quantized (OpenAI) one second's worth + L/60 s × t; fixed windows of P (Azure, OpenRouter) L×P/60 per window begun; sliding log (Gemini) L per 60 s begun.");
        md.AppendLine("- **Best share**: the binding limit's share over the shortest run: 100% where it refills continuously and nothing else holds the run back; lower where the workload ends inside a fixed window or a sliding log's period, which no run can use up (e.g. 70 requests against 20 per fixed minute: 4 windows begun, 87.5%), or where another limit keeps the run from using the first window (Azure's 60 requests per 10 s, when the run starts late in the token minute). A run that ends in the same window as the shortest one reaches it, however much later it ends in that window: compare the walls.");
        md.AppendLine("- **Shortest wall s**: the longer of two runs: the shortest in which the binding limit's enforcement alone admits what the workload consumed (the inverse of the above), and the shortest run of the cell's requests, in the order the provider admitted them, that every limit of the profile admits at once (each sent at the first instant all of the simulator's own enforcements have room for what the provider finally counted for it, on a fake clock from the run's start). Latency of the last request not included.");
        md.AppendLine("- **Wall s**: from handing over the whole workload to the end of the last request. A cell still unfinished after 12 minutes (smoke: 25 s) is stopped: its unfinished requests count as failures.");
        md.AppendLine("- The single-bucket contenders (Polly, cookbook) are told the RPM and the TPM (Anthropic: the ITPM; OpenRouter: no token limit); the resilience handler is told nothing.");
        return md.ToString();
    }

    /// <summary>The profile's accounting, limited dimensions only.</summary>
    private static string Describe(FidelityProfile profile)
    {
        AccountingModel model = profile.AccountingModel();
        var dimensions = Enum.GetValues<RateLimitDimension>().Where(d => profile.Limits[d] is not null).Select(d => $"{Short(d)} {model[d]}");
        return $"`{model.Name}`: token charge {model.Tokens}, headers {model.Headers}, retry-after header {(model.RetryAfterHeader ? "yes" : "no")}{(model.PromptCaching ? ", prompt caching" : string.Empty)}; {string.Join("; ", dimensions)}";
    }

    /// <summary>The shortest wall time; for a run stopped unfinished, of the part it finished.</summary>
    private static string Shortest(FidelityResult r) => Seconds(r.ShortestWallSeconds) + (r.TimedOut ? " (of what finished)" : string.Empty);

    private static string Short(RateLimitDimension? dimension) => dimension switch
    {
        RateLimitDimension.RequestsPerMinute => "RPM",
        RateLimitDimension.TokensPerMinute => "TPM",
        RateLimitDimension.InputTokensPerMinute => "ITPM",
        RateLimitDimension.OutputTokensPerMinute => "OTPM",
        RateLimitDimension.RequestsPerDay => "RPD",
        RateLimitDimension.TokensPerDay => "TPD",
        _ => "-",
    };

    private static string Seconds(double seconds) => double.IsPositiveInfinity(seconds) ? "beyond a day" : seconds.ToString("0.0", Invariant);
}
