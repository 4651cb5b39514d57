using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Faults;
using FastBucket.Simulator.Latency;

namespace FastBucket.Cli.Tests.Commands;

/// <summary><c>fastbucket run</c> as a real process against the simulator on loopback.</summary>
public sealed class RunCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static readonly Dictionary<string, string> Key = new() { ["OPENAI_API_KEY"] = "sk-test-run" };

    private static Task<ProviderSimulator> StartSimulatorAsync(string latency = "none", string? faults = null, RateLimits? limits = null)
    {
        var options = new SimulatorOptions { Seed = 11, Latency = LatencyOptions.Parse(latency) };
        options.RateLimits.SetAll(limits ?? new RateLimits { RequestsPerMinute = 6_000, TokensPerMinute = 10_000_000 });
        if (faults is not null)
        {
            options.Faults = FaultOptions.Parse(faults);
        }

        return ProviderSimulator.StartAsync(options);
    }

    private static string[] RunArgs(ProviderSimulator simulator, string input, params string[] more) =>
        ["run", input, "--base-url", simulator.BaseAddress.ToString(), "--no-live", .. more];

    [Fact]
    public async Task Run_BatchAndBareLines_OneResultPerLineAndExitZero()
    {
        using var dir = new TemporaryDirectory();
        await using var simulator = await StartSimulatorAsync();
        File.WriteAllLines(dir.File("in.jsonl"),
        [
            BatchFiles.ChatLine("first"),
            "",
            """{"model": "gpt-4o-mini", "max_tokens": 8, "messages": [{"role": "user", "content": "A bare body."}]}""",
            BatchFiles.ChatLine("third"),
        ]);

        var result = await CliProcess.RunAsync(dir.Path, Key, Timeout, RunArgs(simulator, "in.jsonl"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = BatchFiles.ReadResults(dir.File("in.results.jsonl"));
        Assert.Equal(["3", "first", "third"], lines.Select(l => l.CustomId).Order(StringComparer.Ordinal));
        Assert.All(lines, l => Assert.Equal(200, l.StatusCode));
        Assert.All(lines, l => Assert.Contains("\"chat.completion\"", l.Raw, StringComparison.Ordinal));
        Assert.Equal(3, simulator.Statistics.Admitted);
    }

    [Fact]
    public async Task Run_MalformedLines_ReportedWithLineNumberWrittenAsErrorsExitOne()
    {
        using var dir = new TemporaryDirectory();
        await using var simulator = await StartSimulatorAsync();
        File.WriteAllLines(dir.File("in.jsonl"),
        [
            BatchFiles.ChatLine("ok-1"),
            "{ this is not json",
            """{"custom_id": "no-body", "method": "POST", "url": "/v1/chat/completions"}""",
            "[1, 2, 3]",
            BatchFiles.ChatLine("ok-2"),
        ]);

        var result = await CliProcess.RunAsync(dir.Path, Key, Timeout, RunArgs(simulator, "in.jsonl", "-o", "out.jsonl"));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("line 2:", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("line 3:", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("line 4:", result.StdErr, StringComparison.Ordinal);
        var lines = BatchFiles.ReadResults(dir.File("out.jsonl")).ToDictionary(l => l.CustomId);
        Assert.Equal(5, lines.Count);
        Assert.Equal(200, lines["ok-1"].StatusCode);
        Assert.Equal(200, lines["ok-2"].StatusCode);
        Assert.Equal("invalid_request_line", lines["2"].ErrorCode);
        Assert.Equal("invalid_request_line", lines["no-body"].ErrorCode);
        Assert.Equal("invalid_request_line", lines["4"].ErrorCode);
        Assert.Null(lines["2"].StatusCode);
    }

    [Fact]
    public async Task Run_DuplicateCustomId_SentOnceAndReportedWithItsLine()
    {
        using var dir = new TemporaryDirectory();
        await using var simulator = await StartSimulatorAsync();
        File.WriteAllLines(dir.File("in.jsonl"), [BatchFiles.ChatLine("same"), BatchFiles.ChatLine("other"), BatchFiles.ChatLine("same")]);

        var result = await CliProcess.RunAsync(dir.Path, Key, Timeout, RunArgs(simulator, "in.jsonl"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("line 3: custom_id 'same' was seen before", result.StdErr, StringComparison.Ordinal);
        Assert.Equal(["other", "same"], BatchFiles.ReadResults(dir.File("in.results.jsonl")).Select(l => l.CustomId).Order(StringComparer.Ordinal));
        Assert.Equal(2, simulator.Statistics.Admitted);
    }

    [Fact]
    public async Task Run_Ordered_WritesResultsInInputOrder()
    {
        using var dir = new TemporaryDirectory();
        await using var simulator = await StartSimulatorAsync(latency: "uniform:5ms-150ms");
        var input = BatchFiles.ChatLines(40);
        File.WriteAllLines(dir.File("in.jsonl"), input);

        var result = await CliProcess.RunAsync(dir.Path, Key, Timeout, RunArgs(simulator, "in.jsonl", "--ordered", "--workers", "16"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var ids = BatchFiles.ReadResults(dir.File("in.results.jsonl")).Select(l => l.CustomId).ToList();
        Assert.Equal(Enumerable.Range(1, 40).Select(i => $"req-{i:D4}"), ids);
    }

    [Fact]
    public async Task Run_KilledMidRunThenResumed_EveryRequestAnsweredExactlyOnce()
    {
        using var dir = new TemporaryDirectory();
        await using var simulator = await StartSimulatorAsync(latency: "fixed:50ms");
        File.WriteAllLines(dir.File("in.jsonl"), BatchFiles.ChatLines(120));
        string output = dir.File("in.results.jsonl");

        // Four at a time, 50 ms each: about 1.5 s of work; killed (SIGKILL, no chance to flush) part of the way.
        using (var first = CliProcess.Start(dir.Path, Key, RunArgs(simulator, "in.jsonl", "--workers", "4")))
        {
            _ = first.StandardOutput.ReadToEndAsync();
            _ = first.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while ((!File.Exists(output) || File.ReadAllLines(output).Length < 20) && DateTime.UtcNow < deadline && !first.HasExited)
            {
                await Task.Delay(20);
            }

            Assert.False(first.HasExited, "the first run ended before it could be killed");
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        int before = BatchFiles.ReadResults(output).Count;
        Assert.InRange(before, 20, 119);
        // A crash mid-write leaves a torn last line.
        File.AppendAllText(output, """{"id": "batch_req_torn", "custom_id": "req-00""");

        var resumed = await CliProcess.RunAsync(dir.Path, Key, Timeout, RunArgs(simulator, "in.jsonl", "--json"));

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var lines = BatchFiles.ReadResults(output);
        Assert.Equal(120, lines.Count);
        Assert.Equal(Enumerable.Range(1, 120).Select(i => $"req-{i:D4}"), lines.Select(l => l.CustomId).Order(StringComparer.Ordinal));
        Assert.All(lines, l => Assert.Equal(200, l.StatusCode));
        Assert.Contains("\"skipped_already_done\":", resumed.StdOut, StringComparison.Ordinal);
        Assert.Contains("torn or corrupt lines dropped", resumed.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Interrupted_StopsAdmittingFinishesInFlightAndResumes()
    {
        using var dir = new TemporaryDirectory();
        await using var simulator = await StartSimulatorAsync(latency: "fixed:300ms");
        File.WriteAllLines(dir.File("in.jsonl"), BatchFiles.ChatLines(200));
        string output = dir.File("in.results.jsonl");

        // Two at a time, 300 ms each: 30 s of work; interrupted (SIGINT, as Ctrl-C) once some results are in.
        using (var run = CliProcess.Start(dir.Path, Key, RunArgs(simulator, "in.jsonl", "--workers", "2", "--json")))
        {
            var stdout = run.StandardOutput.ReadToEndAsync();
            var stderr = run.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while ((!File.Exists(output) || File.ReadAllLines(output).Length < 4) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            using (var interrupt = System.Diagnostics.Process.Start("kill", ["-INT", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync();
            }

            await run.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {await stderr}");
            Assert.Contains("Stopping", await stderr, StringComparison.Ordinal);
            Assert.Contains("\"interrupted\":true", await stdout, StringComparison.Ordinal);
        }

        // Every request that was sent got its result: nothing in flight was abandoned.
        var written = BatchFiles.ReadResults(output);
        Assert.All(written, l => Assert.Equal(200, l.StatusCode));
        Assert.Equal(simulator.Statistics.Admitted, written.Count);
        Assert.InRange(written.Count, 4, 199);

        var resumed = await CliProcess.RunAsync(dir.Path, Key, Timeout, RunArgs(simulator, "in.jsonl", "--workers", "64"));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(200, BatchFiles.ReadResults(output).Select(l => l.CustomId).Distinct().Count());
        Assert.Equal(200, BatchFiles.ReadResults(output).Count);
    }

    [Fact]
    public async Task Run_SigtermWhileRequestsWaitForQuota_ExitsPromptlyAndTheNextRunSendsTheRest()
    {
        using var dir = new TemporaryDirectory();
        await using var simulator = await StartSimulatorAsync(limits: new RateLimits { RequestsPerMinute = 3, TokensPerMinute = 10_000_000 });
        File.WriteAllLines(dir.File("in.jsonl"), BatchFiles.ChatLines(40));
        string output = dir.File("in.results.jsonl");

        // 3 RPM at the provider and on our side: after the first requests every worker waits for quota (minutes of
        // waiting, none in flight at the provider). A stop must not wait for them: they were never sent.
        using (var run = CliProcess.Start(dir.Path, Key, RunArgs(simulator, "in.jsonl", "--rpm", "3", "--workers", "8", "--json")))
        {
            var stdout = run.StandardOutput.ReadToEndAsync();
            var stderr = run.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while ((!File.Exists(output) || File.ReadAllLines(output).Length < 1) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.True(File.Exists(output) && File.ReadAllLines(output).Length >= 1, "no result within 60 s");
            using (var terminate = System.Diagnostics.Process.Start("kill", ["-TERM", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await terminate.WaitForExitAsync();
            }

            // Generous for a loaded machine; before the fix the run waited for quota for about 13 minutes.
            bool exited = await Task.WhenAny(run.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(45))) is Task finished && run.HasExited;
            if (!exited)
            {
                run.Kill(entireProcessTree: true);
            }

            Assert.True(exited, "fastbucket run did not exit within 45 s of SIGTERM with no request in flight");
            Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {await stderr}");
            Assert.Contains("Stopping", await stderr, StringComparison.Ordinal);
            Assert.Contains("\"interrupted\":true", await stdout, StringComparison.Ordinal);
        }

        // Only what was sent has a result; what waited for quota was not sent and is sent by the next run.
        var written = BatchFiles.ReadResults(output);
        Assert.Equal(simulator.Statistics.Admitted, written.Count);
        Assert.All(written, l => Assert.Equal(200, l.StatusCode));
        Assert.InRange(written.Count, 1, 39);

        await using var roomy = await StartSimulatorAsync();
        var resumed = await CliProcess.RunAsync(dir.Path, Key, Timeout, RunArgs(roomy, "in.jsonl", "--workers", "64"));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(40, BatchFiles.ReadResults(output).Select(l => l.CustomId).Distinct().Count());
        Assert.Equal(40, BatchFiles.ReadResults(output).Count);
    }

    [Fact]
    public async Task Run_AzureBatchLinesWithOpenAIPaths_GoToTheDeployment()
    {
        using var dir = new TemporaryDirectory();
        await using var simulator = await StartSimulatorAsync();
        File.WriteAllLines(dir.File("in.jsonl"), [
            """{"custom_id":"a","method":"POST","url":"/chat/completions","body":{"model":"my-gpt4o-deployment","max_tokens":8,"messages":[{"role":"user","content":"Hi"}]}}""",
            """{"custom_id":"b","method":"POST","url":"/v1/chat/completions","body":{"model":"my-gpt4o-deployment","max_tokens":8,"messages":[{"role":"user","content":"Hi"}]}}""",
            """{"model":"my-gpt4o-deployment","max_tokens":8,"messages":[{"role":"user","content":"Hi"}]}""",
        ]);

        var result = await CliProcess.RunAsync(
            dir.Path,
            new Dictionary<string, string> { ["AZURE_OPENAI_API_KEY"] = "azure-test-key" },
            Timeout,
            ["run", "in.jsonl", "--provider", "azure", "--base-url", simulator.BaseAddress.ToString(), "--no-live"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = BatchFiles.ReadResults(dir.File("in.results.jsonl"));
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Equal(200, l.StatusCode));
    }

    [Fact]
    public async Task Run_FailedResults_RetriedByTheNextRunWithoutDuplicates()
    {
        using var dir = new TemporaryDirectory();
        File.WriteAllLines(dir.File("in.jsonl"), BatchFiles.ChatLines(10));
        await using (var broken = await StartSimulatorAsync(faults: "500=1"))
        {
            var failed = await CliProcess.RunAsync(dir.Path, Key, Timeout, RunArgs(broken, "in.jsonl", "--max-attempts", "1"));
            Assert.True(failed.ExitCode == 1, failed.ToString());
            Assert.All(BatchFiles.ReadResults(dir.File("in.results.jsonl")), l => Assert.Equal(500, l.StatusCode));
        }

        await using var healthy = await StartSimulatorAsync();
        var retried = await CliProcess.RunAsync(dir.Path, Key, Timeout, RunArgs(healthy, "in.jsonl"));

        Assert.True(retried.ExitCode == 0, retried.ToString());
        var lines = BatchFiles.ReadResults(dir.File("in.results.jsonl"));
        Assert.Equal(10, lines.Count);
        Assert.Equal(10, lines.Select(l => l.CustomId).Distinct().Count());
        Assert.All(lines, l => Assert.Equal(200, l.StatusCode));
    }

    [Fact]
    public async Task Run_TightLimits_NoRateLimitedResponses()
    {
        using var dir = new TemporaryDirectory();
        var limits = new RateLimits { RequestsPerMinute = 600, TokensPerMinute = 3_000 };
        await using var simulator = await StartSimulatorAsync(latency: "uniform:5ms-40ms", limits: limits);
        File.WriteAllLines(dir.File("in.jsonl"), BatchFiles.ChatLines(80));

        var result = await CliProcess.RunAsync(dir.Path, Key, Timeout, RunArgs(simulator, "in.jsonl", "--rpm", "600", "--tpm", "3000", "--json"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(0, simulator.Statistics.RateLimited);
        Assert.Contains("\"rate_limited_429\":0", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NotATerminal_PrintsPlainProgressLinesToStandardError()
    {
        using var dir = new TemporaryDirectory();
        await using var simulator = await StartSimulatorAsync(latency: "fixed:20ms");
        File.WriteAllLines(dir.File("in.jsonl"), BatchFiles.ChatLines(30));

        // No --no-live: redirected output alone must switch the dashboard off.
        var result = await CliProcess.RunAsync(dir.Path, Key, Timeout, ["run", "in.jsonl", "--base-url", simulator.BaseAddress.ToString(), "--workers", "2", "--progress-interval", "0.1"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"\[\s*\d+\.\ds\] done \d+/30 ok \d+ failed 0", result.StdErr);
        Assert.DoesNotContain("\u001b[", result.StdErr + result.StdOut, StringComparison.Ordinal);
        Assert.Contains("succeeded", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingInput_ExitsTwo()
    {
        using var dir = new TemporaryDirectory();
        var result = await CliProcess.RunAsync(dir.Path, Key, Timeout, "run", "missing.jsonl", "--base-url", "http://127.0.0.1:9/");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("missing.jsonl", result.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--max-attempts", "0")]
    [InlineData("--provider", "nobody")]
    [InlineData("--rpm", "-5")]
    public async Task Run_BadOption_ExitsTwoNamingIt(params string[] option)
    {
        using var dir = new TemporaryDirectory();
        File.WriteAllLines(dir.File("in.jsonl"), BatchFiles.ChatLines(1));
        var result = await CliProcess.RunAsync(dir.Path, Key, Timeout, ["run", "in.jsonl", .. option]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(option[0].TrimStart('-'), result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PublicEndpointWithoutKey_ExitsTwoNamingTheVariable()
    {
        using var dir = new TemporaryDirectory();
        File.WriteAllLines(dir.File("in.jsonl"), BatchFiles.ChatLines(1));
        var result = await CliProcess.RunAsync(dir.Path, null, Timeout, "run", "in.jsonl", "--provider", "anthropic");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("ANTHROPIC_API_KEY", result.StdErr, StringComparison.Ordinal);
    }
}
