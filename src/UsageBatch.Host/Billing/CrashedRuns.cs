using System.Globalization;
using Microsoft.Extensions.Logging;
using UsageBatch.Storage;
using UsageBatch.Usage;

namespace UsageBatch.Billing;

/// <summary>
/// Before a run takes its guard: every run recorded 'running' on this host whose process is gone (or whose pid now
/// belongs to a process that started at another time) is declared dead, so its guard is free and its submissions
/// are recovered now instead of after its lease. A run on another host is trusted until its lease lapses.
/// </summary>
internal sealed class CrashedRuns(IBillingStore store, TimeProvider time, ILogger logger)
{
    public async Task<int> DeclareDeadAsync(long runId, string host, CancellationToken cancellationToken)
    {
        var declared = 0;
        foreach (var run in await store.RunningRunsAsync(cancellationToken))
        {
            if (run.RunId == runId || !ProcessIdentity.IsGone(run, host))
            {
                continue;
            }

            var reason = string.Create(CultureInfo.InvariantCulture,
                $"process {run.ProcessId} on {run.Host} is gone (crashed or killed; started {UtcText.Format(run.StartedAt)}); recovered by run {runId}");
            if (await store.DeclareDeadAsync(run.RunId, reason, time.GetUtcNow(), cancellationToken))
            {
                declared++;
                logger.LogWarning("Run {DeadRunId} of {DeadJob} is dead: {Reason}", run.RunId, run.Job, reason);
            }
        }

        return declared;
    }
}
