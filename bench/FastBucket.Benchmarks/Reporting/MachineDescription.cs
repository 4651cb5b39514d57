using System.Globalization;
using System.Runtime.InteropServices;

namespace FastBucket.Benchmarks.Reporting;

/// <summary>The machine and runtime a console-mode result was measured on, for the report's header.</summary>
internal static class MachineDescription
{
    public static string Describe()
    {
        string cpu = "unknown CPU";
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null)
                {
                    cpu = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
            // The CPU name is decoration; the report stands without it.
        }

        string load = "";
        try
        {
            if (File.Exists("/proc/loadavg"))
            {
                load = ", load average " + string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
            }
        }
        catch (IOException)
        {
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}, {cpu}, {Environment.ProcessorCount} logical cores{load}; {RuntimeInformation.FrameworkDescription}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    }
}
