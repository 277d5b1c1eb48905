using System.Diagnostics;
using System.Globalization;

namespace UsageBatch.Billing;

/// <summary>
/// Tells whether the process a run record names is still the one that started the run. A pid alone is not enough:
/// after a crash the system may give the same pid to any new process. The start of the process is compared too,
/// recorded as an opaque text: on Linux the boot id and the start in clock ticks since boot (/proc, exact and
/// immune to clock changes); elsewhere the start time in UTC ticks.
/// </summary>
internal static class ProcessIdentity
{
    private static readonly Lazy<string?> Current = new(() => StartOf(Environment.ProcessId));

    /// <summary>This process's start, as recorded in ub_run.process_start.</summary>
    public static string? CurrentStart => Current.Value;

    /// <summary>The start of process <paramref name="pid"/>, or null when no such process is running here.</summary>
    public static string? StartOf(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return LinuxStartOf(pid);
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : "utc:" + process.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
        }
        catch (ArgumentException)
        {
            return null; // no process with that id
        }
        catch (InvalidOperationException)
        {
            return null; // it exited while we looked
        }
    }

    /// <summary>
    /// Whether a run recorded on <paramref name="thisHost"/>'s name is provably dead: its process is gone, or its pid
    /// now belongs to a process that started at another time. A run of another host is never judged here (its lease
    /// decides); neither is one whose process exists and whose start was not recorded (older schema).
    /// </summary>
    public static bool IsGone(RunningRun run, string thisHost)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!string.Equals(run.Host, thisHost, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var start = StartOf(run.ProcessId);
        return start is null || (run.ProcessStart is not null && !string.Equals(start, run.ProcessStart, StringComparison.Ordinal));
    }

    private static string? LinuxStartOf(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // no such process (a FileNotFound/DirectoryNotFound IOException)
        }

        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields are counted from the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); field 22 is the start time in clock ticks since boot. A zombie is dead.
        if (fields.Length < 20 || fields[0] is "Z" or "X")
        {
            return null;
        }

        return "linux:" + BootId() + ":" + fields[19];
    }

    private static string BootId()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }
}
