using System.Globalization;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Hosting;
using UsageBatch.Storage;

namespace UsageBatch.Cli;

/// <summary>The verbs other than `demo`: each loads and validates jobs.json first and exits 2 on any problem.</summary>
internal static class Commands
{
    public static async Task<int> RunAsync(string configPath, string[] jobNames, bool dryRun, TextWriter output, TextWriter error,
        Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (!TryLoad(configPath, environment, error, requireKeys: true, out var options))
        {
            return ExitCodes.BadConfiguration;
        }

        var unknown = jobNames.Where(n => options.Jobs.All(j => j.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            await error.WriteLineAsync($"usagebatch: --job: no job named {string.Join(", ", unknown)} in {configPath}");
            return ExitCodes.BadConfiguration;
        }

        var selected = jobNames.Length > 0 ? options.Jobs.Where(j => jobNames.Contains(j.Name)).ToList() : options.Jobs.Where(j => j.Enabled).ToList();
        using var loggers = Logging.Create(options.Logging);
        var store = Composition.CreateStore(options, environment);
        try
        {
            await store.EnsureSchemaAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await error.WriteLineAsync($"usagebatch: database unavailable: {ex.Message}");
            return ExitCodes.Aborted;
        }

        var runner = new JobRunner(options, store, environment, TimeProvider.System, loggers);
        var exit = ExitCodes.Ok;
        foreach (var job in selected)
        {
            var (summary, path) = await runner.RunAsync(job, new RunOptions(DryRun: dryRun), TimeProvider.System.GetUtcNow(), cancellationToken);
            await PrintSummaryAsync(output, summary, path);
            exit = Math.Max(exit, summary.ExitCode);
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        return exit;
    }

    public static async Task PrintSummaryAsync(TextWriter output, RunSummary s, Reports.ReportPaths? reports)
    {
        var inv = CultureInfo.InvariantCulture;
        if (s.Outcome == "skipped")
        {
            // Nothing was done: one line naming who holds the job, no zeros, no report.
            await output.WriteLineAsync(string.Create(inv, $"{s.Job}: run {s.RunId} skipped (exit {s.ExitCode}) - {s.Message}"));
            return;
        }

        await output.WriteLineAsync(string.Create(inv,
            $"{s.Job}: run {s.RunId} {s.Outcome} (exit {s.ExitCode}) - {s.RowsValidated} pending rows validated, {s.RowsRejectedByValidation} rejected by validation, {s.RowsHeldRequeued} re-queued rows held; {s.Groups} groups: {s.Confirmed} confirmed, {s.Zero} zero, {s.Rejected} rejected, {s.Held} held, {s.Released} released, {s.Voided} voided (rows back to pending), {s.Unresolved} unresolved, {s.Recovered} recovered; {s.RowsBilled} rows billed; control sum of billed values {s.BilledTotal}, provider echoed {s.EchoedTotal} (per item and currency in the report)"));
        if (s.Message is not null)
        {
            await output.WriteLineAsync($"  {s.Message}");
        }

        foreach (var planned in s.Planned)
        {
            await output.WriteLineAsync(string.Create(inv, $"  would {planned.Decision}: {planned.Target} rows={planned.Rows} total={planned.Total}{(planned.Reason is null ? "" : " (" + planned.Reason + ")")}"));
        }

        if (reports is not null)
        {
            await output.WriteLineAsync($"  report: {reports.Html}");
            await output.WriteLineAsync($"  json: {reports.Json}");
            await output.WriteLineAsync($"  csv: {reports.SubmissionsCsv}");
            await output.WriteLineAsync($"  csv: {reports.ExceptionsCsv}");
        }
    }

    public static async Task<int> ValidateAsync(string configPath, TextWriter output, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (!TryLoad(configPath, environment, error, requireKeys: true, out var options))
        {
            return ExitCodes.BadConfiguration;
        }

        try
        {
            var store = Composition.CreateStore(options, environment);
            if (store.Dialect == "sqlite" && !File.Exists(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(ConfigLoader.ResolveSqlitePath(options.Database.ConnectionString!, options.BaseDirectory)).DataSource))
            {
                await output.WriteLineAsync("database: not created yet (run `usagebatch db init`, or any run creates it)");
            }
            else if (store.Dialect == "sqlserver")
            {
                // Reads the schema version only (the least-privilege role may run this); creates nothing.
                var version = await store.EnsureSchemaAsync(cancellationToken);
                await output.WriteLineAsync($"database: reachable (sqlserver, schema version {version})");
            }
            else
            {
                await output.WriteLineAsync($"database: reachable ({store.Dialect})");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await error.WriteLineAsync($"database: {ex.Message}");
            return ExitCodes.BadConfiguration;
        }

        await output.WriteLineAsync($"{configPath}: valid ({options.Jobs.Count} jobs, {options.Providers.Count} provider accounts)");
        return ExitCodes.Ok;
    }

    public static async Task<int> StatusAsync(string configPath, TextWriter output, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (!TryLoad(configPath, environment, error, requireKeys: false, out var options))
        {
            return ExitCodes.BadConfiguration;
        }

        var store = Composition.CreateStore(options, environment);
        await store.EnsureSchemaAsync(cancellationToken);
        var now = TimeProvider.System.GetUtcNow();
        foreach (var job in options.Jobs)
        {
            var table = UsageTable.For(options.Providers[job.Provider].Kind);
            var counts = await store.CountRowsAsync(table, now - job.SettleDelay, cancellationToken);
            // From the cron and time zone alone; the scheduler is not started (a firing missed while `serve` was
            // down is caught up when it starts, per the job's misfire policy).
            var next = job.Enabled && JobSchedule.NextFireTime(job, now) is { } at
                ? $"next fire {at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} ({TimeZoneInfo.ConvertTime(at, JobSchedule.TimeZone(job)):yyyy-MM-dd HH:mm} {job.TimeZone})"
                : "next fire -";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{job.Name} ({table.Name}){(job.Enabled ? "" : " [disabled]")}: {next}; pending {counts.Pending}, future-dated {counts.FutureDated}, claimed {counts.Claimed}, held {counts.Held}, rejected {counts.Rejected}, billed {counts.Billed}"));
            var running = (await store.RunningRunsAsync(cancellationToken)).ToDictionary(r => r.RunId);
            foreach (var run in await store.RecentRunsAsync(job.Name, 5, cancellationToken))
            {
                var state = running.TryGetValue(run.RunId, out var live) ? RunLiveness.Describe(live, Environment.MachineName, now) : run.Status;
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  run {run.RunId}: {state} (exit {run.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}) started {run.StartedAt}{(run.Message is null ? "" : " - " + run.Message)}"));
            }
        }

        return ExitCodes.Ok;
    }

    public static async Task<int> DbInitAsync(string configPath, TextWriter output, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (!TryLoad(configPath, environment, error, requireKeys: false, out var options))
        {
            return ExitCodes.BadConfiguration;
        }

        try
        {
            var version = await Composition.CreateStore(options, environment).ApplySchemaAsync(cancellationToken);
            await output.WriteLineAsync($"database schema at version {version}");
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ConfigurationException)
        {
            await error.WriteLineAsync($"usagebatch: database unavailable: {ex.Message}");
            return ExitCodes.Aborted;
        }
    }

    public static async Task<int> RequeueAsync(string configPath, long? row, long? submission, TextWriter output, TextWriter error,
        Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (row is null == submission is null)
        {
            await error.WriteLineAsync("usagebatch requeue: give exactly one of --row ID or --submission ID");
            return ExitCodes.BadConfiguration;
        }

        if (!TryLoad(configPath, environment, error, requireKeys: true, out var options))
        {
            return ExitCodes.BadConfiguration;
        }

        using var loggers = Logging.Create(options.Logging);
        var store = Composition.CreateStore(options, environment);
        await store.EnsureSchemaAsync(cancellationToken);
        if (store is not IRequeueStore requeueStore)
        {
            await error.WriteLineAsync($"usagebatch requeue: not available on the {store.Dialect} store yet");
            return ExitCodes.BadConfiguration;
        }

        var providers = new Dictionary<string, Providers.IUsageProvider>(StringComparer.Ordinal);
        try
        {
            var requeue = new Requeue(store, requeueStore, options,
                name => providers.TryGetValue(name, out var p) ? p : providers[name] = Composition.CreateProvider(name, options.Providers[name], environment, TimeProvider.System, loggers),
                TimeProvider.System, output);
            return row is { } rowId ? await requeue.RowAsync(rowId, cancellationToken) : await requeue.SubmissionAsync(submission!.Value, cancellationToken);
        }
        finally
        {
            foreach (var provider in providers.Values)
            {
                (provider as IDisposable)?.Dispose();
            }
        }
    }

    public static bool TryLoad(string configPath, Func<string, string?> environment, TextWriter error, bool requireKeys, out AppOptions options)
    {
        options = new AppOptions();
        try
        {
            options = ConfigLoader.Load(configPath);
        }
        catch (ConfigurationException ex)
        {
            foreach (var message in ex.Errors)
            {
                error.WriteLine(message);
            }

            return false;
        }

        var errors = ConfigValidator.Validate(options, environment, requireKeys);
        foreach (var message in errors)
        {
            error.WriteLine(message);
        }

        return errors.Count == 0;
    }
}
