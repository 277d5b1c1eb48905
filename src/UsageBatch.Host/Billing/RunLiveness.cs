using System.Globalization;
using UsageBatch.Usage;

namespace UsageBatch.Billing;

/// <summary>What `status` says of a run recorded 'running': never plainly "running", always why it is or is not alive.</summary>
internal static class RunLiveness
{
    public static string Describe(RunningRun run, string thisHost)
    {
        ArgumentNullException.ThrowIfNull(run);
        var inv = CultureInfo.InvariantCulture;
        if (ProcessIdentity.IsGone(run, thisHost))
        {
            return string.Create(inv, $"dead (process {run.ProcessId} on {run.Host} is gone; the next run recovers its work at once)");
        }

        if (run.LeaseExpired)
        {
            return string.Create(inv, $"dead (on {run.Host}, pid {run.ProcessId}; its lease expired at {UtcText.Format(run.LeaseUntil)}; the next run recovers its work)");
        }

        return string.Equals(run.Host, thisHost, StringComparison.OrdinalIgnoreCase)
            ? string.Create(inv, $"running (pid {run.ProcessId} on this host, alive; lease until {UtcText.Format(run.LeaseUntil)})")
            : string.Create(inv, $"running (on {run.Host}, pid {run.ProcessId}; lease until {UtcText.Format(run.LeaseUntil)}, trusted until then)");
    }
}
