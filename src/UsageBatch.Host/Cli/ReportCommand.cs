using System.Globalization;
using UsageBatch.Billing;
using UsageBatch.Reports;
using UsageBatch.Storage;

namespace UsageBatch.Cli;

/// <summary>`usagebatch report --run ID | --last [--job NAME]`: re-renders a run's report files from the ledger.</summary>
internal static class ReportCommand
{
    public static async Task<int> RunAsync(string configPath, long? runId, bool last, string? job, TextWriter output,
        Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (runId is null == !last || (job is not null && !last))
        {
            throw new UsageException("usagebatch: report needs exactly one of --run ID or --last (--job only with --last)");
        }

        var options = Commands.Load(configPath, environment, requireKeys: false);
        var store = Composition.CreateStore(options, environment, DatabaseUse.Read);
        await store.EnsureSchemaAsync(cancellationToken);
        var id = runId ?? await store.LastFinishedRunIdAsync(job, cancellationToken);
        var run = id is { } i ? await store.GetRunAsync(i, cancellationToken) : null;
        if (run is null && job is not null && options.Jobs.All(j => j.Name != job))
        {
            // A job removed from jobs.json may still have runs in the ledger, so the name is checked only now.
            throw new UsageException(Commands.NoSuchJob(options, [job], configPath));
        }

        if (run is null)
        {
            throw new UsageException(id is null
                ? $"usagebatch: no finished run{(job is null ? "" : " of job " + job)} in the ledger"
                : string.Create(CultureInfo.InvariantCulture, $"usagebatch: run {id} is not in the ledger"));
        }

        // Currency and cap limits come from the run's own summary; the configuration is only the fallback for runs
        // that never wrote one.
        var jobOptions = options.Jobs.FirstOrDefault(j => j.Name == run.Job);
        var defaults = jobOptions is not null && options.Providers.TryGetValue(jobOptions.Provider, out var account)
            ? JobRunner.Defaults(jobOptions, account)
            : new ReportDefaults(null);
        var paths = await new RunReportFiles(store, options.Reports.Directory).WriteAsync(run.Id, defaults, cancellationToken);
        foreach (var path in paths!.All)
        {
            await output.WriteLineAsync(path);
        }

        return ExitCodes.Ok;
    }
}
