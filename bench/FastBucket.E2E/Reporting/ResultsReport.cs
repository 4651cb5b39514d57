using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using FastBucket.E2E.Contenders;
using FastBucket.E2E.Measurement;
using FastBucket.E2E.Workload;

namespace FastBucket.E2E.Reporting;

/// <summary>Writes the results as a console line, perf-results/e2e.md and perf-results/e2e.csv.</summary>
internal static class ResultsReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string ConsoleLine(ContenderResult r) => string.Create(
        Invariant,
        $"   wall {r.Client.WallSeconds:0.0} s, {r.BindingLimit} share {r.BindingLimitShare:P1}, 429s {r.SimulatorRateLimited}, retries {r.Client.Retries}, queueing p50 {r.Client.QueueingP50Ms:0} ms p99 {r.Client.QueueingP99Ms:0} ms, ok {r.Client.Succeeded} failed {r.Client.Failed}");

    public static string Csv(IReadOnlyList<ContenderResult> results)
    {
        var csv = new StringBuilder();
        csv.AppendLine("contender,wall_s,binding_limit,binding_limit_share,rpm_share,tpm_share,http_429,retries,sends,queue_p50_ms,queue_p99_ms,completion_p50_ms,completion_p99_ms,ok,failed,never_sent,http_429_client,sim_requests,sim_admitted,input_tokens,output_tokens,achieved_tpm");
        foreach (var r in results)
        {
            var c = r.Client;
            csv.AppendLine(string.Create(
                Invariant,
                $"\"{r.Name}\",{c.WallSeconds:0.000},{r.BindingLimit},{r.BindingLimitShare:0.0000},{r.RequestShare:0.0000},{r.TokenShare:0.0000},{r.SimulatorRateLimited},{c.Retries},{c.Sends},{Ms(c.QueueingP50Ms)},{Ms(c.QueueingP99Ms)},{Ms(c.CompletionP50Ms)},{Ms(c.CompletionP99Ms)},{c.Succeeded},{c.Failed},{c.NeverSent},{c.RateLimitedSeen},{r.SimulatorRequests},{r.SimulatorAdmitted},{r.InputTokens},{r.OutputTokens},{r.AchievedTokensPerMinute:0.0}"));
        }

        return csv.ToString();
    }

    public static string Markdown(IReadOnlyList<ContenderResult> results, E2EOptions options, LimitShape limits, WorkloadSummary workload, DateTimeOffset started)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(Invariant));

        Line($"# End-to-end: {workload.Count:N0} requests, four ways, one simulated account");
        md.AppendLine();
        Line($"Written by `bench/FastBucket.E2E` (do not edit by hand; run it again). Started {started:yyyy-MM-dd HH:mm} UTC.");
        md.AppendLine();
        Line($"Account: **{limits.RequestsPerMinute:N0} RPM / {limits.TokensPerMinute:N0} TPM** (OpenAI chat completions, gpt-4o-mini), latency `{options.Latency}` before the first byte, simulator seed {options.Seed}. Each contender gets a fresh simulator (full buckets).");
        md.AppendLine();
        md.AppendLine("| Contender | Wall s | Binding limit share | 429s received | Retries | Queueing p50 ms | Queueing p99 ms | Requests ok | Requests failed |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var c = r.Client;
            Line($"| {r.Name} | {c.WallSeconds:0.0} | {r.BindingLimitShare:P1} ({r.BindingLimit}) | {r.SimulatorRateLimited:N0} | {c.Retries:N0} | {Ms(c.QueueingP50Ms)} | {Ms(c.QueueingP99Ms)} | {c.Succeeded:N0} | {c.Failed:N0} |");
        }

        md.AppendLine();
        md.AppendLine("## Details");
        md.AppendLine();
        md.AppendLine("| Contender | Sends (= simulator requests) | 429s seen by the client | Admitted | Input tokens | Output tokens | Achieved TPM | RPM share | TPM share | Completion p50 ms | Completion p99 ms | Never sent |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var c = r.Client;
            Line($"| {r.Name} | {c.Sends:N0} ({r.SimulatorRequests:N0}) | {c.RateLimitedSeen:N0} | {r.SimulatorAdmitted:N0} | {r.InputTokens:N0} | {r.OutputTokens:N0} | {r.AchievedTokensPerMinute:N0} | {r.RequestShare:P1} | {r.TokenShare:P1} | {Ms(c.CompletionP50Ms)} | {Ms(c.CompletionP99Ms)} | {c.NeverSent:N0} |");
        }

        md.AppendLine();
        md.AppendLine("Each contender's own counters:");
        md.AppendLine();
        foreach (var r in results)
        {
            Line($"- {r.Name}: {r.Notes}.");
        }

        md.AppendLine();
        md.AppendLine("## Columns");
        md.AppendLine();
        md.AppendLine("- **Wall s**: from handing over the whole workload to the end of the last request (success or giving up).");
        md.AppendLine("- **Binding limit share**: consumed / (limit + limit / 60 s × wall seconds) for the dimension closest to full, as the CLI's `binding_limit_share`: tokens = input + output tokens the simulator reported in usage; requests = requests it admitted. A client that keeps the account exactly full scores 100%.");
        md.AppendLine("- **429s received**: counted by the simulator; the details show the count seen just above the socket, and each contender's own count is in its counters.");
        md.AppendLine("- **Retries**: sends on the wire beyond the first of each request (counted just above the socket, equal to simulator requests minus requests sent at least once). An attempt refused inside the client (open circuit) is not a send.");
        md.AppendLine("- **Queueing delay**: from handing over the workload to the request's first send on the wire (measured just above the socket, the same way for all).");
        md.AppendLine("- **Completion**: from handing over the workload to the request's end.");
        md.AppendLine();
        md.AppendLine("## What each contender is");
        md.AppendLine();
        foreach (var contender in results)
        {
            Line($"- **{contender.Name}**: {contender.Wiring}.");
        }

        md.AppendLine();
        md.AppendLine("Submission: FastBucket, the resilience handler and Polly get every request at once (one task per request, `Task.WhenAll`), so their limiter alone decides when each goes out. The cookbook port reads the list one request at a time in its loop, as the script reads its file; its clock starts at the same moment.");
        md.AppendLine();
        md.AppendLine("## Workload");
        md.AppendLine();
        Line($"{workload.Count:N0} chat completions for gpt-4o-mini, generated from seed {options.Seed}: one user message of an instruction (one of five) and a window of 10-100 words from an English passage, {workload.MinPromptWords}-{workload.MaxPromptWords} words in all (mean {workload.MeanPromptWords:0.0}), max_tokens uniform 100-300 (mean {workload.MeanMaxTokens:0.0}). The cookbook's tiktoken (o200k) estimate of prompt + max_tokens averages {workload.MeanEstimate:0.0} tokens, {workload.TotalEstimate:N0} in all.");
        if (results.Count > 0 && results[0].SimulatorAdmitted > 0)
        {
            var first = results[0];
            double inputPerRequest = first.InputTokens / (double)first.Client.Succeeded;
            double outputPerRequest = first.OutputTokens / (double)first.Client.Succeeded;
            Line($"The simulator counted {inputPerRequest:0.0} input tokens per completed request (its count is about 4 bytes per token plus message overhead, like OpenAI's own character-based estimate for rate limits) against tiktoken's {workload.MeanEstimate - workload.MeanMaxTokens:0.0} for the prompt, and generated {outputPerRequest:0.0} output tokens per request (uniform from 1 to max_tokens), so the run needs about {(inputPerRequest + outputPerRequest) * workload.Count:N0} tokens and {workload.Count:N0} requests: TPM binds ({(inputPerRequest + outputPerRequest) * workload.Count / limits.TokensPerMinute:0.0} minutes of TPM against {workload.Count / (double)limits.RequestsPerMinute:0.0} of RPM).");
        }

        md.AppendLine();
        md.AppendLine("## Machine");
        md.AppendLine();
        Line($"- CPU: {CpuModel()}, {Environment.ProcessorCount} logical cores (simulator and client share them)");
        Line($"- OS: {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})");
        Line($"- Runtime: {RuntimeInformation.FrameworkDescription}");
        Line($"- Date: {started:yyyy-MM-dd} (UTC)");
        Line($"- Command: `{options.CommandLine}`");
        md.AppendLine();
        md.AppendLine("## Caveats");
        md.AppendLine();
        md.AppendLine("- One run, one seed. The simulator draws each request's latency and output length from the seed and the request's arrival number, so contenders that send in different orders get different draws for the same request; totals over the run are comparable, single requests are not.");
        md.AppendLine("- The simulator (Kestrel, in process) and the client share the machine; at this rate (a few requests per second) neither is CPU-bound.");
        md.AppendLine("- The simulator charges input + max_tokens at admission and gives back the unused output when the response ends, as OpenAI does. A client that reserves max_tokens and never gives the unused part back (TokenBucketRateLimiter, the cookbook) cannot use the whole account: its share is capped near actual / reserved tokens.");
        md.AppendLine("- Everyone is told the account's exact limits. The cookbook script advises setting 50-75% of the limits for headroom, which would trade its 429s and 15 s pauses for a lower ceiling.");
        md.AppendLine("- The standard resilience handler is a general HTTP policy, not a rate limiter; its row shows what retries alone do against a rate limit (its circuit breaker counts 429s as failures and opens).");
        md.AppendLine("- The cookbook port uses the script's long-standing rate-limit test (`\"Rate limit\" in error.message`); the newest version tests `error.code == '429'`, which OpenAI's 429 bodies (code `rate_limit_exceeded`) never match, so there the 15 s pause never fires.");
        Line($"- Wall times are from a real clock on a shared {Environment.ProcessorCount}-core machine; read them as rough, the shares and counts as the result. The share is over each run's own wall time: a run that ends early by giving up (failed requests) can still show a high share; read it with the failed count.");
        return md.ToString();
    }

    private static string Ms(double value) => double.IsNaN(value) ? "-" : value.ToString("0", Invariant);

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (UnauthorizedAccessException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
