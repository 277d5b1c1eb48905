using System.CommandLine;
using UsageBatch.Billing;

namespace UsageBatch.Cli;

/// <summary>The `usagebatch` command line (DESIGN.md "Command line"). Bad arguments exit 2.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var config = new Option<string>("--config") { Description = "Path to jobs.json", DefaultValueFactory = _ => "jobs.json", Recursive = true };
        var root = new RootCommand("UsageBatch: metered-billing batch job for Whop and Chargebee");
        root.Options.Add(config);

        var jobs = new Option<string[]>("--job") { Description = "Run only this job (repeatable); default: every enabled job" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be sent; send nothing, change nothing" };
        var run = new Command("run", "Run jobs now, once, then exit (for SQL Agent, cron, Task Scheduler)") { jobs, dryRun };
        run.SetAction((parse, ct) => Commands.RunAsync(parse.GetValue(config)!, parse.GetValue(jobs) ?? [], parse.GetValue(dryRun), output, error, environment, ct));
        root.Subcommands.Add(run);

        var demo = new Command("demo", "Create the embedded database, seed sample usage, start the emulator, run every job once");
        demo.SetAction((parse, ct) => DemoCommand.RunAsync(parse.GetValue(config)!, output, error, ct));
        root.Subcommands.Add(demo);

        var validate = new Command("validate", "Check configuration and database schema; no side effects");
        validate.SetAction((parse, ct) => Commands.ValidateAsync(parse.GetValue(config)!, output, error, environment, ct));
        root.Subcommands.Add(validate);

        var status = new Command("status", "Per job: last runs and rows pending / future-dated / claimed / held");
        status.SetAction((parse, ct) => Commands.StatusAsync(parse.GetValue(config)!, output, error, environment, ct));
        root.Subcommands.Add(status);

        var init = new Command("init", "Create or upgrade the schema");
        init.SetAction((parse, ct) => Commands.DbInitAsync(parse.GetValue(config)!, output, error, environment, ct));
        var db = new Command("db", "Database commands") { init };
        root.Subcommands.Add(db);

        var reportRun = new Option<long?>("--run") { Description = "The run id" };
        var reportLast = new Option<bool>("--last") { Description = "The newest finished run" };
        var reportJob = new Option<string?>("--job") { Description = "With --last: the newest finished run of this job" };
        var report = new Command("report", "Re-render a run's report files (HTML, JSON, CSV) from the ledger") { reportRun, reportLast, reportJob };
        report.SetAction((parse, ct) => ReportCommand.RunAsync(parse.GetValue(config)!, parse.GetValue(reportRun), parse.GetValue(reportLast),
            parse.GetValue(reportJob), output, error, environment, ct));
        root.Subcommands.Add(report);

        var reconcileJob = new Option<string>("--job") { Description = "The job whose provider account to reconcile", Required = true };
        var reconcileFrom = new Option<string>("--from") { Description = "First day, yyyy-MM-dd (UTC, inclusive)", Required = true };
        var reconcileTo = new Option<string>("--to") { Description = "Last day, yyyy-MM-dd (UTC, exclusive)", Required = true };
        var reconcile = new Command("reconcile", "Compare our ledger with the provider's own list of usages over [from, to)") { reconcileJob, reconcileFrom, reconcileTo };
        reconcile.SetAction((parse, ct) => ReconcileCommand.RunAsync(parse.GetValue(config)!, parse.GetValue(reconcileJob), parse.GetValue(reconcileFrom),
            parse.GetValue(reconcileTo), output, error, environment, TimeProvider.System, ct));
        root.Subcommands.Add(reconcile);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                await error.WriteLineAsync($"usagebatch: {parseError.Message}");
            }

            return ExitCodes.BadConfiguration;
        }

        if (parsed.CommandResult.Command == root && !args.Contains("--help") && !args.Contains("-h"))
        {
            // `serve` (the scheduler host) lands with its own issue; until then say so instead of pretending.
            await error.WriteLineAsync("usagebatch: `serve` (the Quartz host) is not part of this build yet; use `run`, `demo`, `status`, `validate` or `db init`.");
            return ExitCodes.BadConfiguration;
        }

        return await parsed.InvokeAsync();
    }
}
