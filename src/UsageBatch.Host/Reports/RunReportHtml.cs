using System.Globalization;
using static UsageBatch.Reports.HtmlPage;

namespace UsageBatch.Reports;

/// <summary>The run report as one HTML page for finance: summary, control check, totals, exceptions, cap, submissions.</summary>
internal static class RunReportHtml
{
    public static string Render(RunReport report)
    {
        var run = report.Run;
        var id = Number(run.RunId);
        var page = new HtmlPage($"{run.Job} run {id}");
        page.Heading(1, $"UsageBatch run report: {run.Job}, run {id}");
        page.Facts(
        [
            ("Job", run.Job),
            ("Provider", $"{run.Provider} (account {run.ProviderAccount}, table {run.UsageTable})"),
            ("Outcome", $"{run.Outcome}{(run.ExitCode is { } e ? $" (exit {Number(e)})" : "")}{(run.DryRun ? ", dry run" : "")}"),
            ("Message", run.Message ?? "-"),
            ("Window", $"usage that occurred before {Time(run.Cutoff)} (the cutoff), not billed before"),
            ("Scheduled at", Time(run.ScheduledAt)),
            ("Started / finished", $"{Time(run.StartedAt)} / {(run.FinishedAt is null ? "not finished" : Time(run.FinishedAt))}"),
            ("Host", run.Host),
            ("Currency of amounts", run.Currency ?? "not configured (providers.*.currency)"),
        ]);

        Control(page, report);
        Totals(page, report);
        Exceptions(page, report);
        Caps(page, report);
        Submissions(page, report);
        page.Note("All times are UTC (ISO 8601). Amounts are money in the account's currency; quantities are units; the two are never added together. Generated from the ledger: re-rendering this run gives the same file.");
        return page.ToString();
    }

    private static void Control(HtmlPage page, RunReport report)
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
                new Cell(c.Result, c.Passed ? "pass" : "fail"), c.ValueKind, c.Unit, Cell.Num(Number(c.Submissions)), Cell.Num(Number(c.Rows)),
                Cell.Num(ReportNumber.Format(c.BilledTotal, c.ValueKind)), Cell.Num(ReportNumber.Format(c.EchoedTotal, c.ValueKind)),
                c.Mismatched.Count == 0 ? "none" : string.Join(", ", c.Mismatched.Select(Number)),
            ]));
        page.Note("PASS: for every confirmed submission the provider echoed exactly the total of the rows it covers. Zero-sum groups are billed without a provider call and are not part of this check.");
    }

    private static void Totals(HtmlPage page, RunReport report)
    {
        page.Heading(2, "Totals billed");
        if (report.TotalsByProvider.Count == 0)
        {
            page.Note("Nothing was billed in this run.");
            return;
        }

        TotalTable(page, "Per provider", report.TotalsByProvider);
        TotalTable(page, "Per billing item / item price", report.TotalsByItem);
        TotalTable(page, "Per customer (membership, company or subscription)", report.TotalsByCustomer);
    }

    private static void TotalTable(HtmlPage page, string title, IReadOnlyList<ReportTotal> totals)
    {
        page.Heading(3, title);
        page.Table(["Field", "Id", "Value kind", "Unit", "Submissions", "Rows", "Total"],
            totals.Select(t => (IReadOnlyList<Cell>)
            [
                t.Field, Cell.Id(t.Key), t.ValueKind, t.Unit, Cell.Num(Number(t.Submissions)), Cell.Num(Number(t.Rows)),
                Cell.Num(ReportNumber.Format(t.Total, t.ValueKind)),
            ]));
    }

    private static void Exceptions(HtmlPage page, RunReport report)
    {
        page.Heading(2, "Exceptions");
        if (report.Exceptions.Count == 0)
        {
            page.Note("None: no row or submission was rejected, held or released.");
            return;
        }

        var groups = report.Exceptions.Where(e => e.Scope == "submission").ToList();
        if (groups.Count > 0)
        {
            page.Heading(3, "Submissions (whole groups) not billed");
            page.Table(["Kind", "Submission", "Why", "What to do"],
                groups.Select(e => (IReadOnlyList<Cell>)[Kind(e.Kind), Cell.Num(Number(e.SubmissionId ?? 0)), e.Reason, e.WhatToDo]));
        }

        // Rows of a group listed above share its reason; they are in the exceptions CSV, not repeated here.
        var listed = groups.Select(g => g.SubmissionId).ToHashSet();
        var rows = report.Exceptions.Where(e => e.Scope == "row" && !listed.Contains(e.SubmissionId)).ToList();
        var inGroups = report.Exceptions.Count(e => e.Scope == "row" && listed.Contains(e.SubmissionId));
        if (rows.Count > 0)
        {
            page.Heading(3, "Rows");
            page.Table(["Kind", "Table", "Row id", "Source key", "Submission", "Reason", "What to do"],
                rows.Select(e => (IReadOnlyList<Cell>)
                [
                    Kind(e.Kind), e.UsageTable, Cell.Num(Number(e.RowId ?? 0)), Cell.Id(e.SourceKey),
                    e.SubmissionId is { } s ? Cell.Num(Number(s)) : "", e.Reason, e.WhatToDo,
                ]));
        }

        if (inGroups > 0)
        {
            page.Note(string.Create(CultureInfo.InvariantCulture, $"{inGroups} more rows belong to the submissions above; each is listed with its source key in the exceptions CSV."));
        }
    }

    private static Cell Kind(string kind) => new(kind, kind == "rejected" ? "fail" : "warn");

    private static void Caps(HtmlPage page, RunReport report)
    {
        if (report.Run.Provider != "chargebee")
        {
            return;
        }

        page.Heading(2, "Chargebee usage cap");
        if (report.CapWarnings.Count == 0)
        {
            page.Note(string.Create(CultureInfo.InvariantCulture,
                $"No subscription in this run has {report.Run.CapWarnAt} or more usages from this ledger (cap {report.Run.UsageCap})."));
            return;
        }

        page.Table(["Level", "Subscription", "Usages (ledger)", "Warn at", "Cap", "Headroom"],
            report.CapWarnings.Select(c => (IReadOnlyList<Cell>)
            [
                new Cell(c.Level, c.Level == "at cap" ? "fail" : "warn"), Cell.Id(c.SubscriptionId), Cell.Num(Number(c.Usages)),
                Cell.Num(Number(c.CapWarnAt)), Cell.Num(Number(c.UsageCap)), Cell.Num(Number(c.Headroom)),
            ]));
        page.Note("Chargebee takes at most this many usages per subscription over its lifetime; ask Chargebee support to raise it before it is reached, then set usageCap.");
    }

    private static void Submissions(HtmlPage page, RunReport report)
    {
        page.Heading(2, "Submissions");
        if (report.Submissions.Count == 0)
        {
            page.Note("This run made or touched no submissions.");
            return;
        }

        page.Table(["Id", "Status", "Customer", "Item", "Value kind", "Rows", "Total", "Echoed", "Unit", "Provider usage id", "Receipt id", "Reason"],
            report.Submissions.Select(s => (IReadOnlyList<Cell>)
            [
                Cell.Num(Number(s.Id)), s.Status, Cell.Id($"{s.CustomerField}={s.CustomerId}"), Cell.Id($"{s.ItemField}={s.ItemId}"), s.ValueKind,
                Cell.Num(Number(s.RowCount)), Cell.Num(ReportNumber.Format(s.Total, s.ValueKind)), Cell.Num(ReportNumber.Format(s.EchoedTotal, s.ValueKind)),
                s.Unit, Cell.Id(s.ProviderUsageId), Cell.Id(s.ProviderReceiptId), s.Reason,
            ]));
    }
}
