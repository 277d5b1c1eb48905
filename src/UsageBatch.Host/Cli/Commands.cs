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
        var options = ConfigLoader.Load(configPath);
        var selected = SelectJobs(options, jobNames, configPath);
        Check(options, environment, requireKeys: true, selected.Select(j => j.Name).ToList());
        if (dryRun && Composition.IsEmbeddedDefault(options, environment) && Composition.SqliteFile(options, environment) is { } file && !File.Exists(file))
        {
            await output.WriteLineAsync($"dry run: the database {file} does not exist yet; a real run creates it empty, so nothing would be sent");
            return ExitCodes.Ok;
        }

        using var loggers = Logging.Create(options.Logging);
        // A dry run changes nothing, not even a schema; a first real run may create the embedded default database.
        var use = dryRun ? DatabaseUse.Read : Composition.IsEmbeddedDefault(options, environment) ? DatabaseUse.Create : DatabaseUse.Write;
        var store = Composition.CreateStore(options, environment, use, loggers);
        await store.EnsureSchemaAsync(cancellationToken);
        var runner = new JobRunner(options, store, store, environment, TimeProvider.System, loggers);
        var exit = ExitCodes.Ok;
        // A live display on a terminal; a line per phase when stdout goes to a file, a pipe or a scheduler's log.
        var live = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && !dryRun;
        foreach (var job in selected)
        {
            var (summary, path) = live
                ? await Progress.LiveProgress.ShowAsync(job.Name, progress => runner.RunAsync(job, new RunOptions(Progress: progress), TimeProvider.System.GetUtcNow(), cancellationToken))
                : await runner.RunAsync(job, new RunOptions(DryRun: dryRun, Progress: dryRun ? null : new Progress.LineProgress(output, job.Name)), TimeProvider.System.GetUtcNow(), cancellationToken);
            await PrintSummaryAsync(output, summary, path);
            exit = Math.Max(exit, summary.ExitCode);
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        return exit;
    }

    /// <summary>The jobs named by --job (every one must exist), or every enabled job.</summary>
    public static IReadOnlyList<JobOptions> SelectJobs(AppOptions options, IReadOnlyCollection<string> jobNames, string configPath)
    {
        var unknown = jobNames.Where(n => options.Jobs.All(j => j.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException(NoSuchJob(options, unknown, configPath));
        }

        return jobNames.Count > 0 ? options.Jobs.Where(j => jobNames.Contains(j.Name)).ToList() : options.Jobs.Where(j => j.Enabled).ToList();
    }

    public static string NoSuchJob(AppOptions options, IReadOnlyCollection<string> names, string configPath) =>
        $"usagebatch: --job: no job named {string.Join(", ", names.Select(n => $"'{n}'"))} in {configPath}; its jobs are: {string.Join(", ", options.Jobs.Select(j => j.Name))}";

    private const int PlannedRowsShown = 20;

    /// <summary>
    /// What the run did, in one short line: what was billed, then only the counts that are not zero (the report keeps
    /// every count, zeros included).
    /// </summary>
    internal static string WhatHappened(RunSummary s)
    {
        var inv = CultureInfo.InvariantCulture;
        var groups = new List<string> { string.Create(inv, $"{s.Confirmed} confirmed") };
        foreach (var (count, what) in new[]
                 {
                     (s.Zero, "zero"), (s.Rejected, "rejected"), (s.Held, "held"), (s.Released, "released"),
                     (s.Voided, "voided (rows back to pending)"), (s.Unresolved, "unresolved"), (s.Recovered, "recovered from a dead run"),
                     (s.Carried, "carried from a run without a report"),
                 })
        {
            if (count > 0)
            {
                groups.Add(string.Create(inv, $"{count} {what}"));
            }
        }

        var parts = new List<string>
        {
            s.Groups == 0 && s.Recovered == 0 && s.Carried == 0
                ? string.Create(inv, $"{s.RowsValidated} pending rows validated, nothing to bill")
                : string.Create(inv, $"{s.Groups} groups: {string.Join(", ", groups)}; {s.RowsBilled} rows billed"),
        };
        if (s.RowsRejectedByValidation > 0)
        {
            parts.Add(string.Create(inv, $"{s.RowsRejectedByValidation} rows rejected by validation"));
        }

        if (s.RowsHeldRequeued > 0)
        {
            parts.Add(string.Create(inv, $"{s.RowsHeldRequeued} re-queued rows held"));
        }

        return string.Join("; ", parts);
    }

    public static async Task PrintSummaryAsync(TextWriter output, RunSummary s, Reports.ReportPaths? reports)
    {
        var inv = CultureInfo.InvariantCulture;
        if (s.Outcome == RunOutcome.Skipped)
        {
            // Nothing was done: one line naming who holds the job, no zeros, no report.
            await output.WriteLineAsync(string.Create(inv, $"{s.Job}: run {s.RunId} skipped (exit {s.ExitCode}) - {s.Message}"));
            return;
        }

        await output.WriteLineAsync(string.Create(inv, $"{s.Job}: run {s.RunId} {RunOutcomeText.ToText(s.Outcome)} (exit {s.ExitCode}) - {WhatHappened(s)}"));
        if (s.BilledByKind.Count > 0)
        {
            // Each value kind with its unit, never added together (money and units are different things).
            await output.WriteLineAsync($"  billed {Values(s.BilledByKind, s.Currency)}; provider echoed {Values(s.EchoedByKind, s.Currency)} (per item and currency in the report)");
        }

        if (s.Message is not null)
        {
            await output.WriteLineAsync($"  {s.Message}");
        }

        // Named one by one so a DBA can fix them before the real run; a flood is cut short (the counts above are whole).
        foreach (var decision in s.PlannedRows.GroupBy(r => r.Decision))
        {
            foreach (var row in decision.Take(PlannedRowsShown))
            {
                await output.WriteLineAsync(string.Create(inv, $"  would {row.Decision} row {row.RowId}{(row.SourceKey is null ? "" : $" (source_key {row.SourceKey})")}: {row.Reason}"));
            }

            if (decision.Count() > PlannedRowsShown)
            {
                await output.WriteLineAsync(string.Create(inv, $"  … and {decision.Count() - PlannedRowsShown} more rows it would {decision.Key}"));
            }
        }

        foreach (var planned in s.Planned)
        {
            await output.WriteLineAsync(string.Create(inv,
                $"  would {Verb(planned.Decision)}: {planned.Target} rows={planned.Rows} {planned.ValueKind}={Value(planned.Total, planned.ValueKind, s.Currency)}{(planned.Reason is null ? "" : " (" + planned.Reason + ")")}"));
        }

        if (reports is not null)
        {
            await output.WriteLineAsync($"  report: {reports.Html}");
            await output.WriteLineAsync($"  json: {reports.Json}");
            await output.WriteLineAsync($"  csv: {reports.SubmissionsCsv}");
            await output.WriteLineAsync($"  csv: {reports.ExceptionsCsv}");
        }
    }

    public static string Values(IReadOnlyDictionary<string, decimal> byKind, string? currency) =>
        byKind.Count == 0 ? "nothing" : string.Join(", ", byKind.Select(k => $"{k.Key} {Value(k.Value, k.Key, currency)}"));

    private static string Value(decimal value, string kind, string? currency) =>
        $"{Reports.ReportNumber.Format(value, kind)} {Reports.ReportNumber.Unit(kind, currency)}";

    public static async Task<int> ValidateAsync(string configPath, TextWriter output, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var options = ConfigLoader.Load(configPath);
        // The console's key is checked with everything else, so every problem is listed at once.
        var errors = ConfigValidator.Validate(options, environment, requireKeys: true, jobs: null).Concat(ConsoleValidator.KeyErrors(options, environment)).ToList();
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }

        // Opened exactly as `run` opens it (connectionStringEnv included), but read only: validate creates nothing.
        if (Composition.IsEmbeddedDefault(options, environment) && !File.Exists(Composition.SqliteFile(options, environment)))
        {
            await output.WriteLineAsync("database: the embedded default is not created yet; `usagebatch db init` (or the first `run`) creates it");
        }
        else
        {
            var store = Composition.CreateStore(options, environment, DatabaseUse.Read);
            var version = await store.EnsureSchemaAsync(cancellationToken);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"database: reachable ({store.Dialect}, schema version {version})"));
        }

        foreach (var warning in ConfigValidator.Warnings(options, TimeProvider.System))
        {
            await output.WriteLineAsync("warning: " + warning);
        }

        await output.WriteLineAsync($"{configPath}: valid ({options.Jobs.Count} jobs, {options.Providers.Count} provider accounts)");
        return ExitCodes.Ok;
    }

    public static async Task<int> StatusAsync(string configPath, TextWriter output, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var options = Load(configPath, environment, requireKeys: false);
        var store = Composition.CreateStore(options, environment, DatabaseUse.Read);
        await store.EnsureSchemaAsync(cancellationToken);
        var now = TimeProvider.System.GetUtcNow();
        foreach (var job in options.Jobs)
        {
            var table = options.TableOf(job);
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
                var state = running.TryGetValue(run.RunId, out var live) ? RunLiveness.Describe(live, Environment.MachineName) : run.Status;
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  run {run.RunId}: {state} (exit {run.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}) started {run.StartedAt}{(run.Message is null ? "" : " - " + run.Message)}"));
            }
        }

        return ExitCodes.Ok;
    }

    public static async Task<int> DbInitAsync(string configPath, TextWriter output, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var options = Load(configPath, environment, requireKeys: false);
        var version = await Composition.CreateStore(options, environment, DatabaseUse.Create).ApplySchemaAsync(cancellationToken);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"database schema at version {version}"));
        return ExitCodes.Ok;
    }

    /// <summary>A planned group's decision as what the run would do: send, hold, reject, bill at zero.</summary>
    private static string Verb(string decision) => SubmissionStatusText.TryParse(decision) switch
    {
        SubmissionStatus.Held => "hold",
        SubmissionStatus.Rejected => "reject",
        SubmissionStatus.Zero => "bill at zero",
        _ => decision,
    };

    public static async Task<int> RequeueAsync(string configPath, RequeueTarget target, TextWriter output,
        Func<string, string?> environment, CancellationToken cancellationToken)
    {
        // Keys are checked when a provider is actually asked (only the held submission's account needs one).
        var options = Load(configPath, environment, requireKeys: false);
        var table = target.Table ?? (target.Job is { } jobName
            ? options.TableOf(SelectJobs(options, [jobName], configPath)[0])
            : null);
        using var loggers = Logging.Create(options.Logging);
        var store = Composition.CreateStore(options, environment);
        await store.EnsureSchemaAsync(cancellationToken);
        var providers = new Dictionary<string, Providers.IUsageProvider>(StringComparer.Ordinal);
        try
        {
            var requeue = new Requeue(store, store, options,
                name => providers.TryGetValue(name, out var p) ? p : providers[name] = Composition.CreateProvider(name, options.Providers[name], environment, TimeProvider.System, loggers),
                TimeProvider.System, output);
            return target.Row is { } rowId ? await requeue.RowAsync(rowId, table, cancellationToken) : await requeue.SubmissionAsync(target.Submission!.Value, target.IntoCurrentTerm, cancellationToken);
        }
        finally
        {
            foreach (var provider in providers.Values)
            {
                (provider as IDisposable)?.Dispose();
            }
        }
    }

    /// <summary>Loads and validates jobs.json; any problem is a <see cref="ConfigurationException"/> listing them all (exit 2).</summary>
    /// <param name="jobs">The jobs about to run (null: every enabled job); only their accounts need API keys.</param>
    public static AppOptions Load(string configPath, Func<string, string?> environment, bool requireKeys, IReadOnlyCollection<string>? jobs = null)
    {
        var options = ConfigLoader.Load(configPath);
        Check(options, environment, requireKeys, jobs);
        return options;
    }

    public static void Check(AppOptions options, Func<string, string?> environment, bool requireKeys, IReadOnlyCollection<string>? jobs)
    {
        var errors = ConfigValidator.Validate(options, environment, requireKeys, jobs);
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }
    }
}
