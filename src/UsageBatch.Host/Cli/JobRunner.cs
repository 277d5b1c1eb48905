using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Hosting;
using UsageBatch.Storage;

namespace UsageBatch.Cli;

/// <summary>Runs one job once (for `run`, `demo` and the scheduler's firings) and writes its JSON summary.</summary>
internal sealed class JobRunner(AppOptions options, IBillingStore store, Func<string, string?> environment, TimeProvider time, ILoggerFactory loggers) : IJobExecutor
{
    /// <summary>A scheduled firing: a real run with the run guard, for the trigger's scheduled time.</summary>
    public async Task<int> ExecuteAsync(JobOptions job, DateTimeOffset scheduledAt, CancellationToken stopToken) =>
        (await RunAsync(job, new RunOptions(), scheduledAt, stopToken)).Summary.ExitCode;

    public async Task<(RunSummary Summary, string? SummaryPath)> RunAsync(JobOptions job, RunOptions runOptions, DateTimeOffset scheduledAt, CancellationToken cancellationToken)
    {
        var account = options.Providers[job.Provider];
        var provider = Composition.CreateProvider(job.Provider, account, environment, time, loggers);
        try
        {
            var run = new BillingRun(store, provider, job, account, time, loggers.CreateLogger("UsageBatch.Run"), runOptions);
            var summary = await run.ExecuteAsync(scheduledAt, cancellationToken);
            return (summary, runOptions.DryRun || summary.RunId == 0 ? null : WriteSummary(summary));
        }
        finally
        {
            (provider as IDisposable)?.Dispose();
        }
    }

    private string WriteSummary(RunSummary summary)
    {
        var folder = Path.Combine(options.Reports.Directory, summary.StartedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{summary.Job}-run{summary.RunId.ToString(CultureInfo.InvariantCulture)}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(summary, RunSummaryJson.Options));
        return path;
    }
}
