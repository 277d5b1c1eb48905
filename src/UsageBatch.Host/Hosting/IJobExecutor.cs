using UsageBatch.Configuration;

namespace UsageBatch.Hosting;

/// <summary>
/// What a scheduled firing does: run one job once for the firing's scheduled time. The Quartz job calls this, so
/// tests can watch the scheduler fire without a database or a provider behind it.
/// </summary>
internal interface IJobExecutor
{
    /// <returns>The run's exit code.</returns>
    Task<int> ExecuteAsync(JobOptions job, DateTimeOffset scheduledAt, CancellationToken stopToken);
}
