using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using UsageBatch.OperatorConsole.Jobs;
using UsageBatch.Storage;

namespace UsageBatch.OperatorConsole.Health;

/// <summary>Readiness: the scheduler of this process has started (when there is one).</summary>
internal sealed class SchedulerCheck(ConsoleContext context) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext check, CancellationToken cancellationToken = default)
    {
        if (context.Scheduler is null)
        {
            return HealthCheckResult.Healthy("no scheduler in this process (usagebatch console)");
        }

        var scheduler = await context.Scheduler.GetScheduler(cancellationToken);
        var status = await scheduler.GetStatus(cancellationToken);
        return status == Quartz.SchedulerStatus.Running
            ? HealthCheckResult.Healthy("running")
            : HealthCheckResult.Unhealthy($"scheduler is {status.ToString().ToLowerInvariant()}");
    }
}

/// <summary>Readiness: the log files are being written (degraded, not down: billing goes on without them).</summary>
internal sealed class LogFilesCheck : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext check, CancellationToken cancellationToken = default) =>
        Task.FromResult(Cli.LogSinkHealth.Failure is { } failure
            ? HealthCheckResult.Degraded($"{failure} ({Cli.LogSinkHealth.Failures} failures)")
            : HealthCheckResult.Healthy("writing"));
}

/// <summary>
/// Readiness: the database answers and its schema is the version this build needs. The reason stays generic on
/// this unauthenticated endpoint (a driver's message can name servers); the log has the detail.
/// </summary>
internal sealed class DatabaseCheck(ConsoleContext context, ILogger<DatabaseCheck> logger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext check, CancellationToken cancellationToken = default)
    {
        var needed = SchemaScripts.For(context.Store.Dialect).Max(s => s.Version);
        int version;
        try
        {
            version = await context.Queries.SchemaVersionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Readiness: the database did not answer");
            return HealthCheckResult.Unhealthy($"{context.Store.Dialect} database unreachable (see the log)");
        }

        return version == needed
            ? HealthCheckResult.Healthy($"{context.Store.Dialect}, schema version {version}")
            : HealthCheckResult.Unhealthy($"{context.Store.Dialect} schema version {version}; this build needs {needed} (usagebatch db init)");
    }
}

/// <summary>
/// Jobs: Degraded when an enabled job has not completed a run within its window or has pending rows older than its
/// maxPendingAge. A job that ran and found no usage is healthy; one that stopped running is not.
/// </summary>
internal sealed class JobsCheck(JobStatusReader reader) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext check, CancellationToken cancellationToken = default)
    {
        var jobs = await reader.ReadAsync(cancellationToken);
        var degraded = jobs.Where(j => j.Job.Enabled && j.Degraded).ToList();
        var data = jobs.ToDictionary(j => j.Job.Name, j => (object)(!j.Job.Enabled ? "disabled" : j.Degraded ? string.Join("; ", j.Problems) : "healthy"));
        return degraded.Count == 0
            ? HealthCheckResult.Healthy("every enabled job completed a run within its window", data)
            : HealthCheckResult.Degraded(string.Join(" | ", degraded.Select(j => $"{j.Job.Name}: {string.Join("; ", j.Problems)}")), data: data);
    }
}
