using UsageBatch.Configuration;
using UsageBatch.Storage;

namespace UsageBatch.OperatorConsole.Jobs;

/// <summary>What the overview, the job health check and the pending-row gauges know about one job at one instant.</summary>
/// <param name="NextFire">The next firing by the cron alone (UTC); null when disabled or the cron never fires again.</param>
/// <param name="LastSuccess">The newest run that finished its work (succeeded or attention).</param>
/// <param name="Problems">Why the job is Degraded (empty when healthy).</param>
internal sealed record JobStatus(
    JobOptions Job,
    UsageTable Table,
    string CronText,
    string CronInWords,
    DateTimeOffset? NextFire,
    ConsoleRun? LastRun,
    ConsoleRun? LastSuccess,
    RowCounts Counts,
    DateTimeOffset? OldestPending,
    TimeSpan HealthyWithin,
    IReadOnlyList<string> Problems,
    DateTimeOffset? NewestUsage = null)
{
    public bool Degraded => Problems.Count > 0;
}
