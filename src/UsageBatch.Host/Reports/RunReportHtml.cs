using UsageBatch.Providers;
using UsageBatch.Billing;
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
        page.Raw("<p class=\"summary\">").Text(ReportSummaryText.For(report)).Raw("</p>\n");
        var facts = new List<(string, string?)>
        {
            ("Job", run.Job),
            ("Provider", $"{run.Provider} (account {run.ProviderAccount}, table {run.UsageTable})"),
            ("Outcome", $"{run.Outcome}{(run.ExitCode is { } e ? $" (exit {Number(e)})" : "")}{(run.DryRun ? ", dry run" : "")}"),
        };
        if (run.Message is not null)
        {
            facts.Add(("Message", run.Message));
        }

        facts.AddRange(
        [
            ("Window", $"usage that occurred before {Time(run.Cutoff)} (the cutoff), not billed before"),
            ("Scheduled at", Time(run.ScheduledAt)),
            ("Started / finished", $"{Time(run.StartedAt)} / {(run.FinishedAt is null ? "not finished" : Time(run.FinishedAt))}"),
            ("Host", run.Host),
            ("Currency of amounts", run.Currency ?? "currency not set"),
        ]);
        page.Facts(facts);

        Control(page, report);
        Totals(page, report);
        Exceptions(page, report);
        LateUsage(page, report);
        Silent(page, report);
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
                new Cell(c.Result, c.Passed ? "pass" : "fail"), c.ValueKind, c.Unit, Cell.Num(Count(c.Submissions)), Cell.Num(Count(c.Rows)),
                Cell.Num(ReportNumber.Display(c.BilledTotal, c.ValueKind, c.Unit)), Cell.Num(ReportNumber.Display(c.EchoedTotal, c.ValueKind, c.Unit)),
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
                t.Field, Cell.Id(t.Key), t.ValueKind, t.Unit, Cell.Num(Count(t.Submissions)), Cell.Num(Count(t.Rows)),
                Cell.Num(ReportNumber.Display(t.Total, t.ValueKind, t.Unit)),
            ]));
    }

    private static void Exceptions(HtmlPage page, RunReport report)
    {
        page.Heading(2, "Exceptions");
        if (report.Exceptions.Count == 0)
        {
            page.Note("None: no row or submission was rejected, held, released or voided.");
            return;
        }

        var groups = report.Exceptions.Where(e => e.Scope == "submission").ToList();
        if (groups.Count > 0)
        {
            page.Heading(3, "Submissions (whole groups) not billed");
            // Groups a stop or an abort voided share one reason: one line with their ids, not one line each.
            var lines = groups.GroupBy(e => (e.Kind, e.Reason, e.Kind == "void" ? "" : e.WhatToDo))
                .SelectMany(g => g.Key.Kind == "void" && g.Count() > 3
                    ? [(IReadOnlyList<Cell>)[Kind(g.Key.Kind), Cell.Id(UsageBatch.Billing.RowIdRanges.Format(g.Select(e => e.SubmissionId ?? 0))), $"{Count(g.Count())} submissions: {g.Key.Reason}",
                        "Nothing was billed and nothing was sent; their rows are pending again and billed by the next run. Nothing to do."]]
                    : g.Select(e => (IReadOnlyList<Cell>)[Kind(e.Kind), Cell.Num(Number(e.SubmissionId ?? 0)), e.Reason, e.WhatToDo]));
            page.Table(["Kind", "Submission", "Why", "What to do"], lines);
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
            page.Note(inGroups == 1
                ? "1 more row belongs to the submissions above; it is listed with its source key in the exceptions CSV."
                : $"{Count(inGroups)} more rows belong to the submissions above; each is listed with its source key in the exceptions CSV.");
        }
    }

    private static Cell Kind(string kind) => new(kind == "void" ? "voided" : kind, kind == "rejected" ? "fail" : "warn");

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Only when the run found any: older runs, and runs with nothing late, render as before.</summary>
    private static void LateUsage(HtmlPage page, RunReport report)
    {
        if (report.LateUsage is not { } lines)
        {
            return;
        }

        var terms = ProviderReportTerms.Of(report.Run.Provider);
        page.Heading(2, "Late and inactive usage");
        page.Table(["Submission", "Standing", terms.Customer, terms.Item, "Usage date", "Status", "What the provider said", "The way out"],
            lines.Select(l => (IReadOnlyList<Cell>)
            [
                Cell.Num(Number(l.SubmissionId)), new Cell(l.Standing, l.Status == SubmissionStatusText.ToText(SubmissionStatus.Held) || l.Standing.Contains("sent as dated", StringComparison.Ordinal) ? "warn" : null),
                Cell.Id(l.CustomerId), Cell.Id(l.ItemId), Cell.Id(Time(l.UsageDate)), l.Status, l.Detail, l.WayOut,
            ]));
        page.Note("A usage dated in a term whose invoice is closed, or when the subscription was not active, is stored by the provider and never invoiced: the run checks each group's date before sending it (jobs.json lateUsage says what it does with late ones; inactive ones are always held).");
    }

    private static void Silent(HtmlPage page, RunReport report)
    {
        if (report.SilentCustomers is not { } silent)
        {
            return;
        }

        page.Heading(2, "Silent customers");
        page.Table(["Customer field", "Customer"], silent.Customers.Select(c => (IReadOnlyList<Cell>)[c.Field, Cell.Id(c.Id)]));
        page.Note(string.Create(CultureInfo.InvariantCulture,
            $"Billed in each of this job's previous {silent.Runs} runs that billed anything, with no usage in this run. Informational: a customer can simply stop using, but a feed that lost a customer looks exactly like this."));
    }

    private static void Caps(HtmlPage page, RunReport report)
    {
        if (ProviderRegistry.Find(report.Run.Provider) is not { Capabilities.LifetimeUsageCap: true } provider)
        {
            return;
        }

        page.Heading(2, $"{provider.DisplayName} usage cap");
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
        page.Note($"{provider.DisplayName} takes at most this many usages per {provider.ReportTerms.Customer.ToLowerInvariant()} over its lifetime; ask {provider.DisplayName} support to raise it before it is reached, then set usageCap.");
    }

    private static Cell Status(ReportSubmission s) =>
        s.FinishedForRun is { } dead && s.Reason?.StartsWith("finished for run", StringComparison.Ordinal) != true ? $"{s.Status} (finished for run {Number(dead)})" : s.Status;

    private static void Submissions(HtmlPage page, RunReport report)
    {
        page.Heading(2, "Submissions");
        if (report.Submissions.Count == 0)
        {
            page.Note("This run made or touched no submissions.");
            return;
        }

        // A provider that dates usages takes one per (customer, item, usage date), so the date is what tells submissions
        // apart; otherwise the value kind does.
        var terms = ProviderReportTerms.Of(report.Run.Provider);
        var dated = ProviderRegistry.Find(report.Run.Provider)?.UsesDateBuckets == true;
        IReadOnlyList<string> headers =
            ["Id", "Status", terms.Customer, terms.Item, dated ? "Usage date" : "Value kind", "Rows", "Total", "Echoed", "Unit", "Provider usage id", terms.ReceiptId, "Reason"];
        page.Table(headers,
            report.Submissions.Select(s => (IReadOnlyList<Cell>)
            [
                Cell.Num(Number(s.Id)), Status(s), Cell.Id(terms.QualifiedIds ? $"{s.CustomerField}={s.CustomerId}" : s.CustomerId),
                Cell.Id(terms.QualifiedIds ? $"{s.ItemField}={s.ItemId}" : s.ItemId),
                dated ? Cell.Id(Time(s.UsageDate)) : s.ValueKind,
                Cell.Num(Count(s.RowCount)), Cell.Num(ReportNumber.Display(s.Total, s.ValueKind, s.Unit)), Cell.Num(ReportNumber.Display(s.EchoedTotal, s.ValueKind, s.Unit)),
                s.Unit, Cell.Id(s.ProviderUsageId), Cell.Id(s.ProviderReceiptId), s.Reason,
            ]));
    }
}
