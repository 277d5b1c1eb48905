using Quartz;
using UsageBatch.Configuration;

namespace UsageBatch.OperatorConsole;

/// <summary>
/// "Run now": one firing of the job's own Quartz job, queued on the scheduler. The job is
/// [DisallowConcurrentExecution], so a firing queued while one runs waits for it (cluster-wide on a clustered
/// store); a `run` from another process is kept out by the run guard in the database.
/// </summary>
internal static class RunNow
{
    public enum Result
    {
        Queued,
        QueuedBehindRunning,
        NotScheduled,
    }

    public static async Task<Result> QueueAsync(ISchedulerFactory factory, JobOptions job, CancellationToken cancellationToken)
    {
        var scheduler = await factory.GetScheduler(cancellationToken);
        var key = new JobKey(job.Name);
        if (!job.Enabled || !await scheduler.Exists(key, cancellationToken))
        {
            return Result.NotScheduled;
        }

        // Cluster-wide on a persistent store: the firings are durable records.
        var running = (await scheduler.QueryFireInstances(new FireInstanceQuery { Job = key, State = FireInstanceState.Executing }, cancellationToken)).Items.Count > 0;
        await scheduler.TriggerJob(key, cancellationToken);
        return running ? Result.QueuedBehindRunning : Result.Queued;
    }
}
