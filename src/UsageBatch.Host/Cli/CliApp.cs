using System.CommandLine;
using UsageBatch.Billing;

namespace UsageBatch.Cli;

/// <summary>The `usagebatch` command line (DESIGN.md "Command line"). Bad arguments exit 2.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?>? environment = null,
        CancellationToken cancellationToken = default)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var config = new Option<string>("--config") { Description = "Path to jobs.json", DefaultValueFactory = _ => "jobs.json", Recursive = true };
        var root = new RootCommand("UsageBatch: metered-billing batch job for Whop and Chargebee");
        root.Options.Add(config);

        // `serve` is also what a bare `usagebatch` does (systemd units and services start it with no verb).
        var serve = new Command("serve", "Run the scheduler: every enabled job on its cron until Ctrl+C / SIGTERM (the default)");
        serve.SetAction((parse, ct) => ServeCommand.RunAsync(parse.GetValue(config)!, error, environment, ct));
        root.Subcommands.Add(serve);
        root.SetAction((parse, ct) => ServeCommand.RunAsync(parse.GetValue(config)!, error, environment, ct));

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

        var requeueRow = new Option<long?>("--row") { Description = "A held usage row's id" };
        var requeueSubmission = new Option<long?>("--submission") { Description = "A held submission's (ledger row's) id" };
        var requeue = new Command("requeue", "Release held rows or a held submission after checking the provider") { requeueRow, requeueSubmission };
        requeue.SetAction((parse, ct) => Commands.RequeueAsync(parse.GetValue(config)!, parse.GetValue(requeueRow), parse.GetValue(requeueSubmission), output, error, environment, ct));
        root.Subcommands.Add(requeue);

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

        var consoleVerb = new Command("console", "Serve the operator console alone over the same database (no scheduling)");
        consoleVerb.SetAction((parse, ct) => ConsoleCommand.RunAsync(parse.GetValue(config)!, output, error, environment, ct));
        root.Subcommands.Add(consoleVerb);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                await error.WriteLineAsync($"usagebatch: {parseError.Message}");
            }

            return ExitCodes.BadConfiguration;
        }

        // System.CommandLine would give a signalled process 2 s and then exit under it. `serve` leaves Ctrl+C and
        // SIGTERM to the Generic Host, which waits scheduler.shutdownTimeout for the running jobs to stop safely.
        // `console` stops on its own signal handling too (ConsoleCommand), so Ctrl+C ends it with exit 0.
        var serving = parsed.CommandResult.Command == root || parsed.CommandResult.Command == serve || parsed.CommandResult.Command == consoleVerb;
        var invocation = new InvocationConfiguration { Output = output, Error = error };
        // The other verbs get two minutes after a signal: enough for requests already under way (provider timeout,
        // 30 s by default) to finish and be settled before the process exits; the run stops at its next safe point.
        invocation.ProcessTerminationTimeout = serving ? null : TimeSpan.FromMinutes(2);

        return await parsed.InvokeAsync(invocation, cancellationToken);
    }
}
