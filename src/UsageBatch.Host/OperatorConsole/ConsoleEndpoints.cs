using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using UsageBatch.Cli;
using UsageBatch.OperatorConsole.Html;
using UsageBatch.OperatorConsole.Jobs;
using UsageBatch.OperatorConsole.Pages;
using UsageBatch.OperatorConsole.Security;
using UsageBatch.Reports;
using UsageBatch.Storage;

namespace UsageBatch.OperatorConsole;

/// <summary>The console's pages and its one action. Every page is rendered on the server; nothing runs script.</summary>
internal static class ConsoleEndpoints
{
    private const string Html = "text/html; charset=utf-8";

    public static void Map(WebApplication app, ConsoleContext context)
    {
        app.MapGet("/console.css", () => Results.Text(ConsoleCss.Text, "text/css; charset=utf-8"));

        app.MapGet("/", async (HttpContext http, JobStatusReader reader, string? notice, string? job) =>
        {
            var jobs = await reader.ReadAsync(http.RequestAborted);
            var (text, tone) = Notice(context, notice, job);
            return Results.Content(OverviewPage.Render(context, jobs, Token(http), text, tone), Html);
        });

        app.MapGet("/runs", async (HttpContext http, string? job, string? outcome, string? page) =>
        {
            job = string.IsNullOrEmpty(job) ? null : job;
            outcome = RunsPage.Outcomes.Contains(outcome) ? outcome : null;
            var number = int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 1_000_000 ? p : 1;
            var (runs, total) = await context.Queries.RunsAsync(job, outcome, (number - 1) * RunsPage.PageSize, RunsPage.PageSize, http.RequestAborted);
            return Results.Content(RunsPage.Render(context, runs, total, job, outcome, number), Html);
        });

        app.MapGet("/runs/{id:long}", async (HttpContext http, long id) =>
            await ReportAsync(context, id, http.RequestAborted) is { } report
                ? Results.Content(RunPage.Render(context, report), Html)
                : NotFound($"Run {id.ToString(CultureInfo.InvariantCulture)} is not in the ledger."));

        app.MapGet("/runs/{id:long}/{file}", async (HttpContext http, long id, string file) =>
        {
            if (file is not ("report.html" or "report.json" or "submissions.csv" or "exceptions.csv"))
            {
                return NotFound("No such report file.");
            }

            if (await ReportAsync(context, id, http.RequestAborted) is not { } report)
            {
                return NotFound($"Run {id.ToString(CultureInfo.InvariantCulture)} is not in the ledger.");
            }

            var stem = Path.GetFileNameWithoutExtension(ReportPaths.For("", report.Run.StartedAt, report.Run.Job, report.Run.RunId).Html);
            switch (file)
            {
                case "report.html":
                    var html = RunReportHtml.Render(report);
                    http.Response.Headers.ContentSecurityPolicy = SecurityHeaders.ReportPolicy(html);
                    return Results.Content(html, Html);
                case "report.json":
                    return Results.Text(ReportJson.Serialize(report), "application/json; charset=utf-8");
                case "submissions.csv":
                    return Results.File(RunReportCsv.Submissions(report), "text/csv; charset=utf-8", stem + "-submissions.csv");
                default:
                    return Results.File(RunReportCsv.Exceptions(report), "text/csv; charset=utf-8", stem + "-exceptions.csv");
            }
        });

        app.MapGet("/exceptions", async (HttpContext http, JobStatusReader reader) =>
        {
            var ct = http.RequestAborted;
            // The held/rejected counts come from the overview's shared reading; each table's two lists are read side by side.
            var counts = (await reader.ReadAsync(ct)).GroupBy(j => j.Table).ToDictionary(g => g.Key, g => g.First().Counts);
            var tables = await Task.WhenAll(counts.Keys.Select(async table =>
            {
                var groups = context.Queries.ExceptionGroupsAsync(table, ExceptionsPage.Limit, ct);
                var rows = context.Queries.ExceptionRowsAsync(table, ExceptionsPage.Limit, ct);
                return new ExceptionsPage.TableExceptions(table, counts[table], await groups, await rows);
            }));
            return Results.Content(ExceptionsPage.Render(context, tables), Html);
        });

        app.MapGet("/scheduler", async (HttpContext http, MisfireRecorder misfires) =>
            Results.Content(await SchedulerPage.RenderAsync(context, misfires, http.RequestAborted), Html));

        app.MapPost("/jobs/{name}/run", async (HttpContext http, string name, IAntiforgery antiforgery) =>
        {
            if (!await ValidAsync(http, antiforgery))
            {
                return Refused(StatusCodes.Status400BadRequest, "The form expired or did not come from this console (anti-forgery check). Reload the page and try again.");
            }

            var job = context.Options.Jobs.FirstOrDefault(j => j.Name == name);
            if (job is null)
            {
                return NotFound("No job by that name in jobs.json.");
            }

            if (context.Scheduler is null)
            {
                return Refused(StatusCodes.Status409Conflict,
                    $"This console runs without a scheduler (usagebatch console), so it cannot start runs. Run `usagebatch run --job {job.Name}` on the job's host, or let its scheduler start it.");
            }

            var result = await RunNow.QueueAsync(context.Scheduler, job, http.RequestAborted);
            return result == RunNow.Result.NotScheduled
                ? Refused(StatusCodes.Status409Conflict, $"{job.Name} is not scheduled in this process (disabled in jobs.json).")
                : Results.Redirect("/?notice=" + (result == RunNow.Result.Queued ? "queued" : "queued-behind") + "&job=" + Uri.EscapeDataString(job.Name));
        });

        app.MapGet("/login", (HttpContext http, string? @return) =>
            Results.Content(LoginPage.Render(context, Token(http), AccessKey.SafeReturn(@return), failed: false), Html));

        app.MapPost("/login", async (HttpContext http, IAntiforgery antiforgery, AccessKey? key) =>
        {
            if (!await ValidAsync(http, antiforgery))
            {
                return Refused(StatusCodes.Status400BadRequest, "The form expired (anti-forgery check). Reload the sign-in page and try again.");
            }

            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var returnPath = AccessKey.SafeReturn(form["return"]);
            if (key is null)
            {
                return Results.Redirect(returnPath);
            }

            if (!key.Matches(form["key"]))
            {
                // A wrong key costs a second: guessing stays slow.
                await Task.Delay(TimeSpan.FromSeconds(1), context.Time, http.RequestAborted);
                return Results.Content(LoginPage.Render(context, Token(http), returnPath, failed: true), Html, Encoding.UTF8, StatusCodes.Status401Unauthorized);
            }

            http.Response.Cookies.Append(AccessKey.CookieName, key.SessionValue, key.CookieOptions(http));
            return Results.Redirect(returnPath);
        });
    }

    private static async Task<RunReport?> ReportAsync(ConsoleContext context, long id, CancellationToken cancellationToken)
    {
        var run = await context.Reports.GetRunAsync(id, cancellationToken);
        if (run is null)
        {
            return null;
        }

        // As `usagebatch report` does: the run's own summary first, the configuration only for runs that never wrote one.
        var job = context.Options.Jobs.FirstOrDefault(j => j.Name == run.Job);
        var defaults = job is not null && context.Options.Providers.TryGetValue(job.Provider, out var account) ? JobRunner.Defaults(job, account) : new ReportDefaults(null);
        return await new RunReportBuilder(context.Reports, defaults).BuildAsync(id, cancellationToken);
    }

    private static (string? Text, string? Tone) Notice(ConsoleContext context, string? notice, string? job)
    {
        // Only fixed messages, and only for a configured job: nothing from the query string is echoed as is.
        var known = context.Options.Jobs.FirstOrDefault(j => j.Name == job)?.Name;
        return (notice, known) switch
        {
            (_, null) => (null, null),
            ("queued", _) => ($"Run now: {known} is queued on the scheduler; its run appears under Runs when it starts.", "ok"),
            ("queued-behind", _) => ($"Run now: {known} is running; the new run is queued and starts when the running one finishes (runs of a job never overlap).", "warn"),
            _ => (null, null),
        };
    }

    private static ConsolePage.Antiforgery Token(HttpContext http)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return new ConsolePage.Antiforgery(tokens.FormFieldName, tokens.RequestToken!);
    }

    private static async Task<bool> ValidAsync(HttpContext http, IAntiforgery antiforgery)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(http);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
    }

    private static IResult NotFound(string message) => Refused(StatusCodes.Status404NotFound, message);

    private static IResult Refused(int status, string message)
    {
        var page = new ConsolePage("Not done", "", "");
        page.Heading(1, status == StatusCodes.Status404NotFound ? "Not found" : "Not done");
        page.Notice(message, "fail").Raw("<p>").Link("Back to the overview", "/").Raw("</p>\n");
        return Results.Content(page.ToString(), Html, Encoding.UTF8, status);
    }
}
