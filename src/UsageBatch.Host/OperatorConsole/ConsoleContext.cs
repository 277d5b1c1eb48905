using Quartz;
using UsageBatch.Configuration;
using UsageBatch.Storage;

namespace UsageBatch.OperatorConsole;

/// <summary>What every console page and check reads from: the configuration, the store, and the scheduler when there is one.</summary>
/// <param name="Scheduler">The `serve` host's Quartz scheduler; null under `usagebatch console`, which schedules nothing.</param>
/// <param name="AccessKey">The key from console.authKeyEnv; null when the console is open to whoever reaches its loopback address.</param>
internal sealed class ConsoleContext(AppOptions options, BillingStore store, ISchedulerFactory? scheduler, TimeProvider time, string? accessKey)
{
    public AppOptions Options { get; } = options;

    public IBillingStore Store { get; } = store;

    public IConsoleStore Queries { get; } = store;

    public IReportStore Reports { get; } = store;

    public ISchedulerFactory? Scheduler { get; } = scheduler;

    public TimeProvider Time { get; } = time;

    public string? AccessKey { get; } = accessKey;

    /// <summary>What the header says about this process.</summary>
    public string Mode => Scheduler is null ? "console only (no scheduler)" : "serve (scheduler in this process)";
}
