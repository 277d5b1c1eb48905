using Microsoft.Extensions.Logging;
using Quartz;
using UsageBatch.Configuration;

namespace UsageBatch.Hosting;

/// <summary>
/// The Quartz job for every jobs.json job (its JobKey name is the job's name). One firing = one billing run for the
/// trigger's scheduled time. Quartz never runs two firings of one job at once in this process (or, clustered, in the
/// cluster); the run's own database guard keeps a manual `run` out too.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class BillingJob(IJobExecutor executor, AppOptions options, ILogger<BillingJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var name = context.JobDetail.Key.Name;
        var job = options.Jobs.FirstOrDefault(j => j.Enabled && j.Name == name);
        if (job is null)
        {
            // A persistent store still holds a job that jobs.json no longer has (removed or disabled): drop it.
            logger.LogWarning("Scheduled job {Job} is not an enabled job in the configuration; removing it from the schedule", name);
            await context.Scheduler.DeleteJob(context.JobDetail.Key, cancellationToken);
            return;
        }

        // The firing's scheduled time, not "now": a firing a busy scheduler started late bills to the same cutoff.
        var scheduledAt = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Job"] = job.Name });
        logger.LogInformation("Job {Job} fired for {ScheduledAt}{Recovering}", job.Name, Usage.UtcText.Format(scheduledAt), context.Recovering ? " (recovering after a crash)" : "");
        try
        {
            var exitCode = await executor.ExecuteAsync(job, scheduledAt, cancellationToken);
            context.Result = exitCode;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Job {Job} failed", job.Name);
            throw new JobExecutionException(ex);
        }
    }
}
