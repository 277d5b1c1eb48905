using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using UsageBatch.Billing;
using UsageBatch.Storage;

namespace UsageBatch.Cli;

/// <summary>
/// The `usagebatch` command line. Every verb runs through <see cref="Verb"/>, so each failure is answered the same
/// way (bad configuration or arguments: exit 2; database unreachable: exit 3; no stack trace on the terminal).
/// </summary>
internal static class CliApp
{
    private const string RunExitCodes = """
        Exit codes: 0 every row final, nothing needs a person; 1 done, but something needs attention (rejected or held
        rows or submissions: see the report); 2 bad configuration or arguments; 3 aborted (database unreachable, provider
        refused the key or could not be reached); 4 another run of the same job holds its lease.
        """;

    private const string PlainExitCodes = "Exit codes: 0 done; 2 bad configuration or arguments; 3 database unreachable or another failure (details in the log file).";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?>? environment = null,
        CancellationToken cancellationToken = default)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var config = new Option<string>("--config") { Description = "Path to jobs.json", DefaultValueFactory = _ => "jobs.json", Recursive = true };
        var root = new RootCommand("UsageBatch: metered-billing batch job for Whop and Chargebee. `usagebatch help VERB` shows a verb's options and exit codes.");
        var exitCodes = new Dictionary<Command, string> { [root] = RunExitCodes };
        root.Options.Add(config);
        string Config(ParseResult parse) => parse.GetValue(config)!;
        void Add(Command command, string codes, Func<ParseResult, CancellationToken, Task<int>> body)
        {
            exitCodes[command] = codes;
            command.SetAction((parse, ct) => Verb.RunAsync(Config(parse), error, () => body(parse, ct)));
            root.Subcommands.Add(command);
        }

        // `serve` is also what a bare `usagebatch` does (systemd units and services start it with no verb).
        var serve = new Command("serve", "Run the scheduler: every enabled job on its cron until Ctrl+C / SIGTERM (the default verb)");
        Add(serve, PlainExitCodes + " A clean stop (Ctrl+C, SIGTERM) exits 0.", (parse, ct) => ServeCommand.RunAsync(Config(parse), error, environment, ct));
        root.SetAction((parse, ct) => Verb.RunAsync(Config(parse), error, () => ServeCommand.RunAsync(Config(parse), error, environment, ct)));

        var jobs = new Option<string[]>("--job") { Description = "Run only this job (repeatable); default: every enabled job" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be sent; send nothing, change nothing" };
        var run = new Command("run", "Run jobs now, once, then exit (for SQL Agent, cron, Task Scheduler)") { jobs, dryRun };
        Add(run, RunExitCodes, (parse, ct) => Commands.RunAsync(Config(parse), parse.GetValue(jobs) ?? [], parse.GetValue(dryRun), output, error, environment, ct));

        var demo = new Command("demo", "Create the embedded database, seed sample usage, start the emulator, run every job once");
        Add(demo, "Exit codes: 0 every row final and billed totals equal the provider's; 1 something needs attention; 2 bad configuration.", (parse, ct) => DemoCommand.RunAsync(Config(parse), output, ct));

        var validate = new Command("validate", "Check configuration and database schema; no side effects");
        Add(validate, PlainExitCodes, (parse, ct) => Commands.ValidateAsync(Config(parse), output, environment, ct));

        var status = new Command("status", "Per job: last runs and rows pending / future-dated / claimed / held");
        Add(status, PlainExitCodes, (parse, ct) => Commands.StatusAsync(Config(parse), output, environment, ct));

        var init = new Command("init", "Create or upgrade the schema (creates the SQLite file and its folder)");
        exitCodes[init] = PlainExitCodes;
        init.SetAction((parse, ct) => Verb.RunAsync(Config(parse), error, () => Commands.DbInitAsync(Config(parse), output, environment, ct)));
        root.Subcommands.Add(new Command("db", "Database commands") { init });

        var requeueRow = WholeNumber("--row", "row id", "A held usage row's id (ids count from 1 in each usage table: give --table or --job too)");
        var requeueSubmission = WholeNumber("--submission", "submission id", "A held submission's (ledger row's) id");
        var requeueTable = new Option<string?>("--table") { Description = "With --row: the usage table of the row" };
        requeueTable.AcceptOnlyFromAmong([.. Providers.ProviderRegistry.All.Select(m => m.Table.Name)]);
        var requeueJob = new Option<string?>("--job") { Description = "With --row: the job whose usage table holds the row" };
        var requeueIntoCurrentTerm = new Option<bool>("--into-current-term")
        {
            Description = "With --submission: a group held as late (its term's invoice is closed) is re-dated into the subscription's current term and released; the next run sends it",
        };
        var requeue = new Command("requeue", "Release held rows or a held submission after checking the provider")
            { requeueRow, requeueSubmission, requeueTable, requeueJob, requeueIntoCurrentTerm };
        Add(requeue, "Exit codes: 0 released, approved or confirmed billed; 1 stays held (the provider's answer is ambiguous); 2 bad arguments or nothing held there; 3 the provider or database could not be reached.", (parse, ct) => Commands.RequeueAsync(Config(parse), RequeueTargetOf(parse, requeueRow, requeueSubmission, requeueTable, requeueJob, requeueIntoCurrentTerm), output, environment, ct));

        var reportRun = WholeNumber("--run", "run id", "The run id");
        var reportLast = new Option<bool>("--last") { Description = "The newest finished run" };
        var reportJob = new Option<string?>("--job") { Description = "With --last: the newest finished run of this job" };
        var report = new Command("report", "Re-render a run's report files (HTML, JSON, CSV) from the ledger") { reportRun, reportLast, reportJob };
        Add(report, PlainExitCodes, (parse, ct) => ReportCommand.RunAsync(Config(parse), parse.GetValue(reportRun), parse.GetValue(reportLast), parse.GetValue(reportJob), output, environment, ct));

        var reconcileJob = new Option<string>("--job") { Description = "The job whose provider account to reconcile", Required = true };
        var reconcileFrom = new Option<string>("--from") { Description = "First day, yyyy-MM-dd (UTC, inclusive)", Required = true };
        var reconcileTo = new Option<string>("--to") { Description = "Last day, yyyy-MM-dd (UTC, exclusive)", Required = true };
        var reconcile = new Command("reconcile", "Compare our ledger with the provider's own list of usages over [from, to)")
            { reconcileJob, reconcileFrom, reconcileTo };
        Add(reconcile, "Exit codes: 0 no differences; 1 differences (see the files written); 2 bad configuration or arguments; 3 provider or database failure.", (parse, ct) => ReconcileCommand.RunAsync(Config(parse), parse.GetValue(reconcileJob), parse.GetValue(reconcileFrom),
            parse.GetValue(reconcileTo), output, environment, TimeProvider.System, ct));

        var helpVerb = new Argument<string?>("verb") { Description = "The verb to explain", Arity = ArgumentArity.ZeroOrOne };
        var help = new Command("help", "Show the verbs, or one verb's options and exit codes") { helpVerb };
        help.SetAction((parse, ct) => root.Parse(parse.GetValue(helpVerb) is { } verb ? [verb, "--help"] : ["--help"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, ct));
        root.Subcommands.Add(help);

        // The built-in help, followed by the verb's exit codes (kept out of the descriptions so the verb list stays short).
        var helpOption = root.Options.OfType<HelpOption>().Single();
        helpOption.Action = new ExitCodesHelp((SynchronousCommandLineAction)helpOption.Action!, exitCodes, output);

        var consoleVerb = new Command("console", "Serve the operator console alone over the same database (no scheduling)");
        consoleVerb.SetAction((parse, ct) => Verb.RunAsync(parse.GetValue(config)!, error, () => ConsoleCommand.RunAsync(parse.GetValue(config)!, output, error, environment, ct)));
        root.Subcommands.Add(consoleVerb);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not ExitCodesHelp)
        {
            foreach (var parseError in parsed.Errors)
            {
                await error.WriteLineAsync($"usagebatch: {parseError.Message}");
            }

            var verb = parsed.CommandResult.Command == root ? "" : " " + parsed.CommandResult.Command.Name;
            await error.WriteLineAsync($"usagebatch: `usagebatch help{verb}` lists the verbs and options");
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

    /// <summary>An id option whose parse error says what an id is (not System.Nullable`1[System.Int64]).</summary>
    private static Option<long?> WholeNumber(string name, string what, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
            {
                return value;
            }

            result.AddError($"{name}: '{text}' is not a {what}; a {what} is a whole number (1, 2, 3 …)");
            return null;
        },
    };

    private static RequeueTarget RequeueTargetOf(ParseResult parse, Option<long?> row, Option<long?> submission, Option<string?> table, Option<string?> job,
        Option<bool> intoCurrentTerm)
    {
        var target = new RequeueTarget(parse.GetValue(row), parse.GetValue(submission),
            parse.GetValue(table) is { } name ? Providers.ProviderRegistry.Table(name) : null, parse.GetValue(job), parse.GetValue(intoCurrentTerm));
        if (target.IntoCurrentTerm && target.Submission is null)
        {
            throw new UsageException("usagebatch requeue: --into-current-term goes with --submission ID (a held late group)");
        }

        if (target.Row is null == target.Submission is null)
        {
            throw new UsageException("usagebatch requeue: give exactly one of --row ID or --submission ID");
        }

        if (target.Submission is not null && (target.Table is not null || target.Job is not null))
        {
            throw new UsageException("usagebatch requeue: --table and --job go with --row only (a submission id is unique)");
        }

        if (target.Table is not null && target.Job is not null)
        {
            throw new UsageException("usagebatch requeue: give --table or --job, not both");
        }

        return target;
    }
}
