using System.Globalization;
using UsageBatch.Billing;
using UsageBatch.OperatorConsole.Html;
using UsageBatch.Reports;

namespace UsageBatch.OperatorConsole.Pages;

/// <summary>
/// One run: the facts of its report (built by <see cref="RunReportBuilder"/> from the ledger, the same facts as the
/// HTML report file), its recorded metrics, and links to the report's HTML, JSON and CSV renderings.
/// </summary>
internal static class RunPage
{
    /// <summary>Submissions listed on the page; the CSV has them all.</summary>
    public const int SubmissionLimit = 500;

    public static string Render(ConsoleContext context, RunReport report)
    {
        var run = report.Run;
        var id = run.RunId.ToString(CultureInfo.InvariantCulture);
        var page = new ConsolePage($"Run {id}", "runs", $"{context.Mode} · {context.Store.Dialect} · {Format.Utc(context.Time.GetUtcNow())}");
        page.Heading(1, $"Run {id}: {run.Job}");
        page.Facts(
        [
            ("Outcome", Cell.Badge($"{run.Outcome}{(run.ExitCode is { } e ? $" (exit {e.ToString(CultureInfo.InvariantCulture)})" : "")}", Summaries.Tone(RunOutcomeText.TryParse(run.Outcome)))),
            ("Message", run.Message ?? "-"),
            ("Provider", $"{run.Provider} (account {run.ProviderAccount}, table {run.UsageTable})"),
            ("Window", $"usage that occurred before {Format.Utc(run.Cutoff)} (the cutoff)"),
            ("Scheduled / started / finished", $"{Format.Utc(run.ScheduledAt)} / {Format.Utc(run.StartedAt)} / {(run.FinishedAt is null ? "not finished" : Format.Utc(run.FinishedAt))}"),
            ("Host", run.Host),
            ("Currency of amounts", run.Currency ?? "not configured"),
            ("Control check", report.ControlCheck.Count == 0 ? Cell.Badge("nothing sent", "none") : report.ControlPassed ? Cell.Badge("pass", "ok") : Cell.Badge("fail", "fail")),
        ]);

        page.Raw("<p>").Text("Report files: ");
        page.Link("HTML", $"/runs/{id}/report.html").Text(" · ").Link("JSON", $"/runs/{id}/report.json").Text(" · ")
            .Link("submissions CSV", $"/runs/{id}/submissions.csv").Text(" · ").Link("exceptions CSV", $"/runs/{id}/exceptions.csv");
        page.Raw("</p>\n").Note("Rendered from the ledger, byte for byte what `usagebatch report --run " + id + "` writes under the reports directory.");

        Metrics(page, Summaries.Parse(report.Summary?.GetRawText()));
        Control(page, report);
        Totals(page, report);
        Exceptions(page, report);
        Silent(page, report);
        Submissions(page, report, id);
        return page.ToString();
    }

    private static void Metrics(ConsolePage page, RunSummary? s)
    {
        page.Heading(2, "What the run did");
        if (s is null)
        {
            page.Note("This run recorded no summary (it did not finish).");
            return;
        }

        var requests = s.ProviderRequests;
        (string Label, string Value)[] cards =
        [
            ("rows validated", Format.Number(s.RowsValidated)), ("rows billed", Format.Number(s.RowsBilled)),
            ("rows rejected", Format.Number(s.RowsRejectedByValidation + s.RowsRejected)), ("rows held", Format.Number(s.RowsHeldRequeued + s.RowsHeld)),
            ("groups", Format.Number(s.Groups)), ("recovered", Format.Number(s.Recovered)),
            ("provider requests", Format.Number(requests.Requests)),
            ("mean latency", requests.Requests == 0 ? "-" : Format.Duration(TimeSpan.FromSeconds(requests.LatencySecondsTotal / requests.Requests))),
            ("max latency", requests.Requests == 0 ? "-" : Format.Duration(TimeSpan.FromSeconds(requests.LatencySecondsMax))),
            ("throttle pauses", $"{Format.Number(requests.ThrottlePauses)}{(requests.ThrottlePauses > 0 ? $" ({Format.Duration(TimeSpan.FromSeconds(requests.ThrottlePausedSeconds))})" : "")}"),
            ("duration", s.FinishedAt is { } f ? Format.Duration(f - s.StartedAt) : "-"),
        ];
        page.Raw("<div class=\"cards\">");
        foreach (var (label, value) in cards)
        {
            page.Raw("<div class=\"card\"><div class=\"value\">").Text(value).Raw("</div><div class=\"label\">").Text(label).Raw("</div></div>");
        }

        page.Raw("</div>\n");
        page.Table(["Submissions", .. SubmissionColumns, "Provider requests by status"],
        [
            [
                "count", .. UsageBatch.Metrics.UsageMetrics.SubmissionCounts(s).Select(c => Cell.Num(c.Count)),
                requests.ByStatus.Count == 0 ? "none" : string.Join(", ", requests.ByStatus.Select(p => $"{p.Key}: {p.Value.ToString(CultureInfo.InvariantCulture)}")),
            ],
        ]);
    }

    private static void Control(ConsolePage page, RunReport report)
    {
        page.Heading(2, "Control check: billed rows vs totals the provider echoed");
        if (report.ControlCheck.Count == 0)
        {
            page.Note("Nothing was sent to the provider in this run, so there is nothing to check.");
            return;
        }

        page.Table(["Result", "Value kind", "Unit", "Submissions", "Rows", "Billed total", "Provider echoed", "Mismatched submissions"],
            report.ControlCheck.Select(c => (IReadOnlyList<Cell>)
            [
                Cell.Badge(c.Result, c.Passed ? "ok" : "fail"), c.ValueKind, c.Unit, Cell.Num(c.Submissions), Cell.Num(c.Rows),
                Cell.Num(ReportNumber.Display(c.BilledTotal, c.ValueKind, c.Unit)), Cell.Num(ReportNumber.Display(c.EchoedTotal, c.ValueKind, c.Unit)),
                c.Mismatched.Count == 0 ? "none" : string.Join(", ", c.Mismatched.Select(m => m.ToString(CultureInfo.InvariantCulture))),
            ]));
    }

    private static void Totals(ConsolePage page, RunReport report)
    {
        page.Heading(2, "Totals billed");
        if (report.TotalsByProvider.Count == 0)
        {
            page.Note("Nothing was billed in this run.");
            return;
        }

        foreach (var (title, totals) in new[] { ("Per billing item / item price", report.TotalsByItem), ("Per customer", report.TotalsByCustomer) })
        {
            page.Heading(3, title);
            page.Table(["Field", "Id", "Value kind", "Unit", "Submissions", "Rows", "Total"],
                totals.Select(t => (IReadOnlyList<Cell>)
                [
                    t.Field, Cell.Code(t.Key), t.ValueKind, t.Unit, Cell.Num(t.Submissions), Cell.Num(t.Rows), Cell.Num(ReportNumber.Display(t.Total, t.ValueKind, t.Unit)),
                ]));
        }
    }

    private static void Exceptions(ConsolePage page, RunReport report)
    {
        page.Heading(2, "Exceptions of this run");
        if (report.Exceptions.Count == 0)
        {
            page.Note("None: no row or submission was rejected, held or released.");
            return;
        }

        page.Table(["Kind", "Scope", "Table", "Row", "Source key", "Submission", "Reason", "What to do"],
            report.Exceptions.Take(SubmissionLimit).Select(e => (IReadOnlyList<Cell>)
            [
                Cell.Badge(e.Kind, e.Kind == "rejected" ? "fail" : "warn"), e.Scope, e.UsageTable,
                Cell.Num(e.RowId?.ToString(CultureInfo.InvariantCulture) ?? ""), Cell.Code(e.SourceKey),
                Cell.Num(e.SubmissionId?.ToString(CultureInfo.InvariantCulture) ?? ""), e.Reason, e.WhatToDo,
            ]));
        if (report.Exceptions.Count > SubmissionLimit)
        {
            page.Note($"{Format.Number(report.Exceptions.Count - SubmissionLimit)} more in the exceptions CSV.");
        }
    }

    private static void Silent(ConsolePage page, RunReport report)
    {
        if (report.SilentCustomers is not { } silent)
        {
            return;
        }

        page.Heading(2, "Silent customers");
        page.Table(["Customer field", "Customer"], silent.Customers.Select(c => (IReadOnlyList<Cell>)[c.Field, Cell.Code(c.Id)]));
        page.Note($"Billed in each of this job's previous {Format.Number(silent.Runs)} runs that billed anything, with no usage in this run (informational).");
    }

    private static void Submissions(ConsolePage page, RunReport report, string id)
    {
        page.Heading(2, $"Submissions ({Format.Number(report.Submissions.Count)})");
        if (report.Submissions.Count == 0)
        {
            page.Note("This run made or touched no submissions.");
            return;
        }

        page.Table(["Id", "Status", "Customer", "Item", "Value kind", "Rows", "Total", "Echoed", "Unit", "Provider usage id", "Receipt id", "Reason"],
            report.Submissions.Take(SubmissionLimit).Select(s => (IReadOnlyList<Cell>)
            [
                Cell.Num(s.Id), Cell.Badge(s.Status, s.State is SubmissionStatus.Confirmed or SubmissionStatus.Zero ? "ok" : s.State == SubmissionStatus.Rejected ? "fail" : "warn"),
                Cell.Code($"{s.CustomerField}={s.CustomerId}"), Cell.Code($"{s.ItemField}={s.ItemId}"), s.ValueKind,
                Cell.Num(s.RowCount), Cell.Num(ReportNumber.Display(s.Total, s.ValueKind, s.Unit)), Cell.Num(ReportNumber.Display(s.EchoedTotal, s.ValueKind, s.Unit)),
                s.Unit, Cell.Code(s.ProviderUsageId), Cell.Code(s.ProviderReceiptId), s.Reason,
            ]));
        if (report.Submissions.Count > SubmissionLimit)
        {
            page.Note($"The first {SubmissionLimit} are listed; all {Format.Number(report.Submissions.Count)} are in the submissions CSV.").Link("Download it", $"/runs/{id}/submissions.csv");
        }
    }

    private static readonly string[] SubmissionColumns = ["confirmed", "zero", "rejected", "held", "released", "void", "unresolved"];
}
