using System.Net;
using Quartz;

namespace UsageBatch.Configuration;

/// <summary>
/// Checks a loaded configuration and lists every problem by key path (e.g. <c>jobs[1].cron</c>), so an operator
/// fixes them all in one go. Secrets are only ever named by their environment variable, never printed.
/// </summary>
internal static class ConfigValidator
{
    private static readonly string[] Buckets = ["hour", "day", "month"];

    /// <summary>Job and provider account names are nvarchar(200) in the ledger (ub_run, ub_submission).</summary>
    private const int NameLength = 200;

    // 128 (a SQL Server name) less the 15 of the job role's prefix usagebatch_job_.
    internal const int MaxSchemaLength = 113;
    private static readonly string[] SuppressKinds = ["webhooks", "emails", "actions"];

    /// <param name="environment">Reads environment variables (injected so tests need not touch the process's).</param>
    /// <param name="requireKeys">False for verbs that call no provider (status, report, db init).</param>
    /// <param name="jobs">The jobs about to run (null: every enabled job). Only their accounts need an API key, so a
    /// Chargebee job is not refused because the Whop key is missing.</param>
    public static IReadOnlyList<string> Validate(AppOptions options, Func<string, string?> environment, bool requireKeys = true, IReadOnlyCollection<string>? jobs = null)
    {
        var errors = new List<string>();
        ValidateDatabase(options.Database, environment, errors);
        var keyed = options.Jobs.Where(j => jobs?.Contains(j.Name) ?? j.Enabled).Select(j => j.Provider).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, account) in options.Providers)
        {
            ValidateAccount($"providers.{name}", account, environment, requireKeys && keyed.Contains(name), errors);
        }

        foreach (var name in options.Providers.Keys.Where(n => n.Length > NameLength))
        {
            errors.Add($"providers.{name}: the account name has {name.Length} characters; the ledger keeps {NameLength} (provider_account)");
        }

        // Case-insensitively unique: under a case-insensitive collation (the SQL Server default) 'Nightly' and
        // 'nightly' would share one run guard and one ledger name.
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Jobs.Count; i++)
        {
            ValidateJob($"jobs[{i}]", options.Jobs[i], options, names, errors);
        }

        if (options.Jobs.Count == 0)
        {
            errors.Add("jobs: at least one job is required");
        }

        ValidateScheduler(options.Scheduler, options.Database, environment, errors);
        ConsoleValidator.Validate(options, environment, requireKey: false, errors);
        if (options.Logging.RetainedDays < 1)
        {
            errors.Add("logging.retainedDays: must be at least 1");
        }

        // An unknown level would otherwise fall back to Information without a word.
        if (!Enum.TryParse<Serilog.Events.LogEventLevel>(options.Logging.MinimumLevel, ignoreCase: true, out _) || int.TryParse(options.Logging.MinimumLevel, out _))
        {
            errors.Add($"logging.minimumLevel: '{options.Logging.MinimumLevel}' is not one of Verbose, Debug, Information, Warning, Error");
        }

        if (options.Reports.RetainedDays < 1)
        {
            errors.Add("reports.retainedDays: must be at least 1 (days of report files to keep)");
        }

        // A mistyped folder must fail here, not after billing (no report for finance) or silently (no log at all).
        if (WritableFolder.Problem(options.Reports.Directory) is { } reports)
        {
            errors.Add($"reports.directory: {reports}");
        }

        if (WritableFolder.Problem(options.Logging.Directory) is { } logs)
        {
            errors.Add($"logging.directory: {logs}");
        }

        ShutdownBudget.Validate(options, errors);

        return errors;
    }

    private static void ValidateDatabase(DatabaseOptions database, Func<string, string?> environment, List<string> errors)
    {
        if (database.Provider is not ("sqlite" or "sqlserver"))
        {
            errors.Add($"database.provider: '{database.Provider}' is not one of sqlite, sqlserver");
        }

        if (database.ConnectionStringEnv is { } env && string.IsNullOrEmpty(environment(env)))
        {
            errors.Add($"database.connectionStringEnv: environment variable {env} is not set");
        }
        else if (database.ConnectionStringEnv is null && string.IsNullOrWhiteSpace(database.ConnectionString))
        {
            errors.Add("database.connectionString: required (or connectionStringEnv naming an environment variable)");
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(database.Schema, "^[A-Za-z_][A-Za-z0-9_]{0,127}$"))
        {
            errors.Add($"database.schema: '{database.Schema}' is not a plain identifier");
        }
        else if (database.Provider == "sqlserver" && database.Schema.Length > MaxSchemaLength)
        {
            // The job's role is named usagebatch_job_<schema>, and a name has at most 128 characters.
            errors.Add($"database.schema: '{database.Schema}' has {database.Schema.Length} characters; at most {MaxSchemaLength} (the job's database role usagebatch_job_<schema> must fit in 128)");
        }
    }

    private static void ValidateAccount(string path, ProviderAccountOptions account, Func<string, string?> environment, bool requireKeys, List<string> errors)
    {
        if (!Providers.ProviderRegistry.All.Any(m => string.Equals(m.Type, account.Type, StringComparison.Ordinal)))
        {
            errors.Add($"{path}.type: '{account.Type}' is not one of {Providers.ProviderRegistry.Types}");
            return;
        }

        var before = errors.Count;
        account.Module.ValidateAccount(path, account, errors);
        if (errors.Count == before)
        {
            // Only when the provider's own settings are right: its default base URL is built from them.
            ValidateBaseUrl(path, account, errors);
        }

        if (string.IsNullOrWhiteSpace(account.ApiKeyEnv))
        {
            errors.Add($"{path}.apiKeyEnv: required (the name of the environment variable holding the API key)");
        }
        else if (requireKeys && string.IsNullOrEmpty(environment(account.ApiKeyEnv)))
        {
            errors.Add($"{path}.apiKeyEnv: environment variable {account.ApiKeyEnv} is not set (it must hold the API key)");
        }

        Positive($"{path}.requestsPerWindow", account.EffectiveRequestsPerWindow, errors);
        Positive($"{path}.maxInFlight", account.MaxInFlight, errors);
        Positive($"{path}.maxAttempts", account.MaxAttempts, errors);
        Positive($"{path}.usageCap", account.UsageCap, errors);
        PositiveTime($"{path}.window", account.EffectiveWindow, errors);
        PositiveTime($"{path}.timeout", account.Timeout, errors);
        if (account.EffectiveQuantityDecimals is < 0 or > 10)
        {
            errors.Add($"{path}.quantityDecimals: must be between 0 and 10");
        }

        if (account.EffectiveAmountDecimals is < 0 or > 10)
        {
            errors.Add($"{path}.amountDecimals: must be between 0 and 10");
        }

        foreach (var kind in account.Suppress.Where(k => !SuppressKinds.Contains(k)))
        {
            errors.Add($"{path}.suppress: '{kind}' is not one of webhooks, emails, actions");
        }
    }

    private static void ValidateBaseUrl(string path, ProviderAccountOptions account, List<string> errors)
    {
        if (!Uri.TryCreate(account.EffectiveBaseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            errors.Add($"{path}.baseUrl: '{account.EffectiveBaseUrl}' is not an absolute http(s) URL");
        }
        else if (url.Scheme == "http" && !IsLoopback(url))
        {
            errors.Add($"{path}.baseUrl: must be https unless it is a loopback address (API keys travel in every request)");
        }
    }

    private static void ValidateJob(string path, JobOptions job, AppOptions options, HashSet<string> names, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(job.Name))
        {
            errors.Add($"{path}.name: required");
        }
        else if (!names.Add(job.Name))
        {
            errors.Add($"{path}.name: '{job.Name}' is used by another job (names are compared ignoring case, as a case-insensitive database collation does); names must be unique");
        }
        else if (job.Name.Length > NameLength)
        {
            errors.Add($"{path}.name: '{job.Name[..20]}…' has {job.Name.Length} characters; the ledger keeps {NameLength} (ub_run.job)");
        }

        if (!options.Providers.TryGetValue(job.Provider, out var account))
        {
            errors.Add($"{path}.provider: '{job.Provider}' is not a provider account under providers ({string.Join(", ", options.Providers.Keys)})");
        }

        try
        {
            _ = new CronExpression(CronText.Normalize(job.Cron));
        }
        catch (FormatException ex)
        {
            errors.Add($"{path}.cron: '{job.Cron}' is not a valid cron expression: {ex.Message}");
        }

        try
        {
            _ = TimeZoneInfo.FindSystemTimeZoneById(job.TimeZone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            errors.Add($"{path}.timeZone: '{job.TimeZone}' is not a known IANA time zone");
        }

        if (job.Misfire is not ("catchUpOnce" or "skip"))
        {
            errors.Add($"{path}.misfire: '{job.Misfire}' is not one of catchUpOnce, skip");
        }

        if (job.ExpectUsageWithin is { } expect && expect <= TimeSpan.Zero)
        {
            errors.Add($"{path}.expectUsageWithin: must be a positive duration (or left out: not checked)");
        }

        if (job.SilentCustomerRuns < 0)
        {
            errors.Add($"{path}.silentCustomerRuns: must be 0 (off) or more");
        }

        if (!Billing.LateUsagePolicies.ByName.ContainsKey(job.LateUsage))
        {
            errors.Add($"{path}.lateUsage: '{job.LateUsage}' is not one of {Billing.LateUsagePolicies.Names}");
        }

        if (!Buckets.Contains(job.Bucket))
        {
            errors.Add($"{path}.bucket: '{job.Bucket}' is not one of hour, day, month");
        }

        if (job.BatchSize is < 1 or > Storage.SqlServer.SqlServerLocking.MaxRowsPerStatement)
        {
            errors.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{path}.batchSize: must be between 1 and {Storage.SqlServer.SqlServerLocking.MaxRowsPerStatement} (a claimed row takes two key locks on one index, and SQL Server escalates to a table lock at 5,000)"));
        }

        if (job.SettleDelay < TimeSpan.Zero)
        {
            errors.Add($"{path}.settleDelay: must not be negative");
        }

        PositiveTime($"{path}.leaseDuration", job.LeaseDuration, errors);
        PositiveTime($"{path}.maxAge", job.MaxAge, errors);
        // The sender only starts a request while the lease outlasts its timeout plus this margin: a lease too short
        // for that would never send anything.
        if (account is not null && job.LeaseDuration <= account.Timeout + job.LeaseMargin)
        {
            errors.Add($"{path}.leaseDuration: must be longer than the provider's timeout plus 10 s (a quarter of the lease when shorter), so no request outlives the lease");
        }

        if (job.MaxQuantityPerSubmission is <= 0)
        {
            errors.Add($"{path}.maxQuantityPerSubmission: must be positive");
        }

        if (job.MaxAmountPerSubmission is <= 0)
        {
            errors.Add($"{path}.maxAmountPerSubmission: must be positive");
        }
    }

    /// <summary>
    /// What is allowed but deserves a look, by key path (`validate` prints these; `serve` logs them at start).
    /// </summary>
    public static IReadOnlyList<string> Warnings(AppOptions options, TimeProvider time)
    {
        var warnings = new List<string>();
        if (options.Scheduler.Store == "sqlserver" && !options.Scheduler.Clustered)
        {
            warnings.Add("scheduler.clustered: false with store sqlserver: only one host may run `serve` against this database; two unclustered schedulers on one database take each other's triggers (set clustered: true to run several)");
        }

        for (var i = 0; i < options.Jobs.Count; i++)
        {
            if (LateUsageWarning(options, options.Jobs[i], time.GetUtcNow()) is { } late)
            {
                warnings.Add($"jobs[{i}] ({options.Jobs[i].Name}): {late}");
            }
        }

        return warnings;
    }

    /// <summary>
    /// Usage from the last (settleDelay + the schedule's interval) of a term reaches a term-invoicing provider only after
    /// the term has ended; once the term's invoice is closed it is late (stored, never invoiced). Said when the account's
    /// pendingInvoiceWindow is shorter than that, or not given.
    /// </summary>
    internal static string? LateUsageWarning(AppOptions options, JobOptions job, DateTimeOffset now)
    {
        if (!options.Providers.TryGetValue(job.Provider, out var account) || Providers.ProviderRegistry.Find(account.Type) is not { Capabilities.InvoicesByTerm: true })
        {
            return null;
        }

        TimeSpan interval;
        try
        {
            var cron = Hosting.JobSchedule.Cron(job);
            var first = cron.GetNextValidTimeAfter(now);
            var second = first is { } f ? cron.GetNextValidTimeAfter(f) : null;
            interval = first is { } a && second is { } b ? b - a : TimeSpan.Zero;
        }
        catch (FormatException)
        {
            return null; // the cron's own error is reported by Validate
        }

        var exposure = job.SettleDelay + interval;
        var window = account.PendingInvoiceWindow;
        var what = $"usage from the last {Usage.DurationText.Format(exposure)} of each term (settleDelay {Usage.DurationText.Format(job.SettleDelay)} + {Usage.DurationText.Format(interval)} between runs) is sent after the term has ended";
        return window switch
        {
            null => $"{what}; set providers.{job.Provider}.pendingInvoiceWindow to how long the site keeps renewal invoices pending, so validate can tell whether that usage is still invoiced (late usage is handled by lateUsage: {job.LateUsage})",
            { } w when w < exposure => $"{what}, but the site closes renewal invoices after {Usage.DurationText.Format(w)}: that usage will regularly be late (stored by the provider, never invoiced); run the job more often, shorten settleDelay, or keep invoices pending longer (late usage is handled by lateUsage: {job.LateUsage})",
            _ => null,
        };
    }

    private static void ValidateScheduler(SchedulerOptions scheduler, DatabaseOptions database, Func<string, string?> environment, List<string> errors)
    {
        if (scheduler.Store is not ("sqlite" or "memory" or "sqlserver"))
        {
            errors.Add($"scheduler.store: '{scheduler.Store}' is not one of sqlite, memory, sqlserver");
        }

        if (scheduler.Clustered && scheduler.Store != "sqlserver")
        {
            errors.Add("scheduler.clustered: clustering needs store sqlserver (Quartz refuses clustered SQLite)");
        }

        if (scheduler.Store is "sqlite" or "sqlserver")
        {
            if (scheduler.ConnectionStringEnv is { } env)
            {
                if (string.IsNullOrEmpty(environment(env)))
                {
                    errors.Add($"scheduler.connectionStringEnv: environment variable {env} is not set");
                }
            }
            else if (string.IsNullOrWhiteSpace(scheduler.ConnectionString) && database.Provider != scheduler.Store)
            {
                // The default is the database's own connection string, which only fits the same kind of database.
                errors.Add($"scheduler.connectionString: required for store {scheduler.Store} when database.provider is {database.Provider}");
            }
        }

        if (string.IsNullOrWhiteSpace(scheduler.InstanceId))
        {
            errors.Add("scheduler.instanceId: must not be empty (AUTO generates one per node)");
        }

        if (scheduler.ShutdownTimeout is { } shutdown)
        {
            PositiveTime("scheduler.shutdownTimeout", shutdown, errors);
        }

        PositiveTime("scheduler.misfireThreshold", scheduler.MisfireThreshold, errors);
        PositiveTime("scheduler.checkinInterval", scheduler.CheckinInterval, errors);
    }

    private static void Positive(string path, int value, List<string> errors)
    {
        if (value < 1)
        {
            errors.Add($"{path}: must be at least 1");
        }
    }

    private static void PositiveTime(string path, TimeSpan value, List<string> errors)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{path}: must be a positive duration (e.g. 00:00:30)");
        }
    }

    public static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host, out var ip) && IPAddress.IsLoopback(ip));
}
