using System.Diagnostics;
using System.Text.Json;

namespace FastBucket.Cli.Tests.Commands;

/// <summary><c>fastbucket monitor</c> as a real process, attached over EventPipe to a <c>fastbucket demo</c> process the test starts.</summary>
public sealed class MonitorCommandTests
{
    [Fact]
    public async Task Monitor_RunningDemoProcess_JsonOnceShowsItsQuotaWithEveryLimitedDimension()
    {
        using var dir = new TemporaryDirectory();
        await using var demo = await DemoProcess.StartAsync(dir.Path);

        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(2), "monitor", demo.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", "--once", "--interval", "0.5");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.StdOut);
        Assert.Equal(demo.Id, document.RootElement.GetProperty("pid").GetInt32());
        var quota = Assert.Single(document.RootElement.GetProperty("quotas").EnumerateArray());
        Assert.Equal("OpenAI", quota.GetProperty("provider").GetString());
        Assert.Equal("gpt-4o-mini", quota.GetProperty("model").GetString());
        var available = quota.GetProperty("available");
        Assert.True(available.TryGetProperty("RequestsPerMinute", out var rpm), quota.ToString());
        Assert.True(available.TryGetProperty("TokensPerMinute", out _), quota.ToString());
        Assert.InRange(rpm.GetDouble(), double.MinValue, 600);
        Assert.True(quota.GetProperty("grants").GetDouble() >= 0);
        Assert.Equal(0, quota.GetProperty("rate_limited").GetDouble());
    }

    [Fact]
    public async Task Monitor_RunningDemoProcess_PlainOnceShowsOneLinePerQuota()
    {
        using var dir = new TemporaryDirectory();
        await using var demo = await DemoProcess.StartAsync(dir.Path);

        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(2), "monitor", demo.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--once", "--interval", "0.5");

        Assert.True(result.ExitCode == 0, result.ToString());
        var line = Assert.Single(result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("OpenAI/gpt-4o-mini granted ", line, StringComparison.Ordinal);
        Assert.Contains("available RequestsPerMinute=", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_NoProcessByThatName_ExitsTwoSayingSo()
    {
        using var dir = new TemporaryDirectory();

        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(1), "monitor", "no-such-process-" + Guid.NewGuid().ToString("N"));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("no running .NET process is named", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_ProcessIdNotRunning_ExitsTwoSayingSo()
    {
        using var dir = new TemporaryDirectory();

        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(1), "monitor", "2147483646");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("no process with id 2147483646", result.StdErr, StringComparison.Ordinal);
    }

    /// <summary>A long <c>fastbucket demo</c> (its output drained), killed on dispose.</summary>
    private sealed class DemoProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Task _stdout;
        private readonly Task _stderr;

        private DemoProcess(Process process, Task stdout, Task stderr)
        {
            _process = process;
            _stdout = stdout;
            _stderr = stderr;
        }

        public int Id => _process.Id;

        public static async Task<DemoProcess> StartAsync(string directory)
        {
            // Long enough to outlive the monitor: 5000 requests at the demo's 600 RPM take minutes.
            var process = CliProcess.Start(directory, null, "demo", "--requests", "5000", "--no-live");
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var stderr = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync() is { } line)
                {
                    if (line.StartsWith("Simulator on ", StringComparison.Ordinal))
                    {
                        started.TrySetResult();
                    }
                }

                started.TrySetException(new InvalidOperationException("fastbucket demo ended before it started its batch."));
            });
            var stdout = process.StandardOutput.ReadToEndAsync();
            await started.Task.WaitAsync(TimeSpan.FromMinutes(1));
            return new DemoProcess(process, stdout, stderr);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            await Task.WhenAll(_stdout, _stderr);
            _process.Dispose();
        }
    }
}
