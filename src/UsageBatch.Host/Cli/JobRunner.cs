using Microsoft.Extensions.Logging;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Hosting;
using UsageBatch.Reports;
using UsageBatch.Storage;

namespace UsageBatch.Cli;

/// <summary>
/// Runs one job once (for `run`, `demo` and the scheduler's firings) and writes its report files (HTML, JSON with
/// the run's summary inside, submissions CSV, exceptions CSV) from the ledger.
/// </summary>
internal sealed class JobRunner(AppOptions options, IBillingStore store, IReportStore reports, Func<string, string?> environment, TimeProvider time, ILoggerFactory loggers) : IJobExecutor
{
    /// <summary>A scheduled firing: a real run with the run guard, for the trigger's scheduled time.</summary>
    public async Task<int> ExecuteAsync(JobOptions job, DateTimeOffset scheduledAt, CancellationToken stopToken) =>
        (await RunAsync(job, new RunOptions(), scheduledAt, stopToken)).Summary.ExitCode;

    public async Task<(RunSummary Summary, ReportPaths? Reports)> RunAsync(JobOptions job, RunOptions runOptions, DateTimeOffset scheduledAt, CancellationToken cancellationToken)
    {
        var account = options.AccountOf(job);
        var digest = new WarningDigest(loggers);
        var provider = Composition.CreateProvider(job.Provider, account, environment, time, digest);
        // The run's summary picks this up and keeps what its senders counted (Metrics.ProviderRequestStats).
        Metrics.ProviderRequestStats.Begin();
        try
        {
            var logger = digest.CreateLogger("UsageBatch.Run");
            var run = new BillingRun(store, provider, job, account, time, logger,
                runOptions with { ReportsDirectory = options.Reports.Directory });
            var summary = await run.ExecuteAsync(scheduledAt, cancellationToken);
            using (logger.BeginScope(new Dictionary<string, object> { ["Job"] = job.Name, ["RunId"] = summary.RunId, ["Provider"] = summary.Provider }))
            {
                digest.Summarize(loggers.CreateLogger("UsageBatch.Run"));
            }
            if (!runOptions.DryRun && summary.RunId != 0)
            {
                Metrics.UsageMetrics.RunFinished(summary);
            }

            // A skipped run did nothing to report: it leaves its one line in ub_run and the log, no files.
            if (runOptions.DryRun || summary.RunId == 0 || summary.Outcome == RunOutcome.Skipped)
            {
                return (summary, null);
            }

            // Written after the run is final, from the ledger only; a stop request does not cut the report short.
            ReportPaths? paths;
            try
            {
                paths = await new RunReportFiles(reports, options.Reports.Directory)
                    .WriteAsync(summary.RunId, Defaults(job, account), CancellationToken.None);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Billing is done and recorded; only the report is missing. The run says so (attention, exit 1) and the
                // next run's report carries its submissions, since none of them is marked reported by a written report.
                await ReportFailedAsync(summary, ex, logger);
                return (summary, null);
            }

            await store.MarkReportWrittenAsync(summary.RunId, time.GetUtcNow(), CancellationToken.None);
            PruneReports(logger);
            return (summary, paths);
        }
        finally
        {
            (provider as IDisposable)?.Dispose();
        }
    }

    private async Task ReportFailedAsync(RunSummary summary, Exception ex, ILogger logger)
    {
        var reason = $"report not written: reports.directory '{options.Reports.Directory}': {ex.Message} (the next run's report carries this run's submissions)";
        logger.LogError("Run {RunId} of {Job}: {Reason}", summary.RunId, summary.Job, reason);
        summary.Message = summary.Message is null ? reason : summary.Message + "; " + reason;
        if (summary.ExitCode == ExitCodes.Ok)
        {
            summary.Outcome = RunOutcome.Attention;
            summary.ExitCode = ExitCodes.Attention;
        }

        await store.MarkReportFailedAsync(summary.RunId, summary.Message, CancellationToken.None);
    }

    private void PruneReports(ILogger logger)
    {
        try
        {
            var deleted = ReportRetention.Prune(options.Reports.Directory, options.Reports.RetainedDays, time.GetUtcNow());
            if (deleted > 0)
            {
                logger.LogInformation("Deleted {Count} report files older than {RetainedDays} days (reports.retainedDays)", deleted, options.Reports.RetainedDays);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The run and its report are done; an old file that cannot be deleted now is tried again after the next run.
            logger.LogWarning(ex, "Could not delete old report files under {Directory}", options.Reports.Directory);
        }
    }

    public static ReportDefaults Defaults(JobOptions job, ProviderAccountOptions account) => new(account.Currency, job.CapWarnAt, account.UsageCap);
}
