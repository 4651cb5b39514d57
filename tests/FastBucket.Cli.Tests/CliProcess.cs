using System.Diagnostics;
using System.Text;

namespace FastBucket.Cli.Tests;

/// <summary>Runs the real <c>fastbucket</c> process (the built FastBucket.Cli.dll under the dotnet host), output redirected.</summary>
internal static class CliProcess
{
    private static string Host => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static string Entry => Path.Combine(AppContext.BaseDirectory, "FastBucket.Cli.dll");

    public static Process Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        // A process started in the background by a non-interactive shell (CI runners, nohup, the stress script)
        // inherits SIGINT ignored, and a child keeps an ignored signal ignored: the CLI would never see the Ctrl-C the
        // tests send. coreutils' env puts the default disposition back before it execs the host (same pid).
        bool resetSigint = OperatingSystem.IsLinux() && IgnoresSigint();
        var info = new ProcessStartInfo(resetSigint ? "env" : Host)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (resetSigint)
        {
            info.ArgumentList.Add("--default-signal=INT");
            info.ArgumentList.Add(Host);
        }

        info.ArgumentList.Add(Entry);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // A clean slate: no key leaks in from the machine running the tests.
        foreach (var name in new[] { "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY", "AZURE_OPENAI_API_KEY", "FASTBUCKET_LIMITS" })
        {
            info.Environment.Remove(name);
        }

        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                info.Environment[name] = value;
            }
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("The CLI did not start.");
        process.StandardInput.Close();
        return process;
    }

    /// <summary>Whether this process ignores SIGINT (bit 2 of <c>SigIgn</c> in <c>/proc/self/status</c>).</summary>
    private static bool IgnoresSigint()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
            {
                return (ulong.Parse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & 0x2) != 0;
            }
        }

        return false;
    }

    public static async Task<CliResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, params string[] args)
    {
        using var process = Start(workingDirectory, environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fastbucket {string.Join(' ', args)} did not exit within {timeout}. stderr so far: {(stderr.IsCompleted ? await stderr : "")}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
