using System.Diagnostics;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;

namespace FastBucket.Cli.Commands;

/// <summary>Finds the process <c>fastbucket monitor</c> attaches to: a process id, or the name of one running .NET process.</summary>
internal static class MonitorTarget
{
    /// <summary>The process id, or an error message that says why none could be chosen.</summary>
    public static bool TryResolve(string target, out int processId, out string? error)
    {
        error = null;
        processId = 0;
        if (int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
        {
            if (!IsRunning(id))
            {
                error = $"monitor: no process with id {id}.";
                return false;
            }

            processId = id;
            return true;
        }

        int self = Environment.ProcessId;
        var matches = DiagnosticsClient.GetPublishedProcesses()
            .Where(pid => pid != self && Names(pid).Any(name => string.Equals(name, target, StringComparison.OrdinalIgnoreCase)))
            .Distinct()
            .ToList();
        switch (matches.Count)
        {
            case 1:
                processId = matches[0];
                return true;
            case 0:
                error = $"monitor: no running .NET process is named '{target}'; give its process id instead.";
                return false;
            default:
                error = $"monitor: {matches.Count} .NET processes are named '{target}' ({string.Join(", ", matches)}); give one process id.";
                return false;
        }
    }

    private static bool IsRunning(int id)
    {
        try
        {
            using var process = Process.GetProcessById(id);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>The process's name, and on Linux the app its host runs (<c>dotnet app.dll</c> is named <c>app</c> too).</summary>
    private static List<string> Names(int id)
    {
        var names = new List<string>(2);
        try
        {
            using var process = Process.GetProcessById(id);
            names.Add(process.ProcessName);
            string commandLine = $"/proc/{id.ToString(CultureInfo.InvariantCulture)}/cmdline";
            if (File.Exists(commandLine)
                && File.ReadAllText(commandLine).Split('\0', StringSplitOptions.RemoveEmptyEntries).Skip(1).FirstOrDefault(a => a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) is { } app)
            {
                names.Add(Path.GetFileNameWithoutExtension(app));
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            // Exited meanwhile, or not ours to read: matched by what was read.
        }

        return names;
    }
}
