using UsageBatch.Providers;
using System.Globalization;
using static UsageBatch.Reports.HtmlPage;

namespace UsageBatch.Reports;

/// <summary>
/// The reconcile report as one HTML page for finance: the verdict in one paragraph, a summary by kind, the real
/// differences (one row each, the worst kinds first, in a table that fits a 1400 px window), and the routine
/// receipts as a count: they are one row each in the CSV and JSON.
/// </summary>
internal static class ReconcileHtml
{
    public static string Render(ReconcileReport report)
    {
        var period = $"{Day(report.From)} to {Day(report.To)}";
        var page = new HtmlPage($"{report.Job} reconcile {period}");
        page.Heading(1, $"UsageBatch reconciliation: {report.Job}, {period} (exclusive)");
        var kinds = ReconcileSummary.ByKind(report);
        Verdict(page, report, kinds);
        page.Facts(
        [
            ("Job", report.Job),
            ("Provider", $"{report.Provider} (account {report.ProviderAccount})"),
            ("Period", $"[{Time(report.From)}, {Time(report.To)})"),
            ("Reconciled at", Time(report.ReconciledAt)),
            ("Currency of amounts", report.Currency ?? "currency not set"),
            ("Compared", $"{ReportSummaryText.Count(report.LedgerSubmissions, "confirmed submission")} in our ledger, {ReportSummaryText.Count(report.ProviderUsages, "usage")} listed at the provider"),
        ]);
        Differences(page, report);
        Summary(page, kinds);
        Invoices(page, report);
        Payments(page, report);
        Receipts(page, report, kinds);
        page.Note("receipt_assigned and invoiced are updates, not differences: the provider has charged or invoiced the usage and its id is now in the ledger and on the rows. Whop lists have no date filter and no list across customers, so usages made elsewhere are found only for the customer/item pairs our ledger billed in the period. All times are UTC.");
        return page.ToString();
    }

    /// <summary>What each invoice our usages are on billed, line by line, and from which of our submissions and rows.</summary>
    private static void Invoices(HtmlPage page, ReconcileReport report)
    {
        if (report.Invoices is not { Count: > 0 } invoices)
        {
            return;
        }

        page.Heading(2, "Invoices: what each billed, and from which of our rows");
        foreach (var invoice in invoices)
        {
            page.Heading(3, $"Invoice {invoice.InvoiceId} ({invoice.Status})");
            if (invoice.Lines.Count == 0)
            {
                page.Note("No metered lines.");
                continue;
            }

            page.Table(["Line", "Item price", "Term", "Line quantity", "Usages on it", "Usages (foreign)", "Our submissions", "Our rows", "Ties out"],
                invoice.Lines.Select(l => (IReadOnlyList<Cell>)
                [
                    Cell.Id(l.LineId), Cell.Id(l.ItemId), new Cell($"{Time(l.DateFrom)} – {Time(l.DateTo)}", "id time"),
                    Cell.Num(ReportNumber.Display(l.LineQuantity, "quantity", "units")), Cell.Num(ReportNumber.Display(l.UsageTotal, "quantity", "units")),
                    Cell.Num(string.Create(CultureInfo.InvariantCulture, $"{l.Usages} ({l.ForeignUsages})")),
                    Cell.Id(string.Join(", ", l.OurSubmissions.Select(s => s.ToString(CultureInfo.InvariantCulture)))), Cell.Num(Number(l.OurRows)),
                    new Cell(l.LineQuantity == l.UsageTotal ? "yes" : "NO", l.LineQuantity == l.UsageTotal ? "pass" : "fail"),
                ]));
        }
    }

    /// <summary>Each payment that charged our usages: paid, refunded or failed, and which of our submissions and rows it covers.</summary>
    private static void Payments(HtmlPage page, ReconcileReport report)
    {
        if (report.Payments is not { Count: > 0 } payments)
        {
            return;
        }

        page.Heading(2, "Payments: whether what we billed was paid");
        page.Table(["Payment", "Status", "Paid at", "Amount", "Refunded", "Usages charged", "Our submissions", "Our rows"],
            payments.Select(p => (IReadOnlyList<Cell>)
            [
                Cell.Id(p.PaymentId), new Cell(p.Status, p.Status == "paid" && (p.RefundedAmount ?? 0m) == 0m ? "pass" : "fail"), Cell.Id(Time(p.PaidAt)),
                Cell.Num(p.FinalAmount is { } f ? $"{ReportNumber.Display(f, "amount", p.Currency?.ToUpperInvariant())} {p.Currency?.ToUpperInvariant()}" : ""),
                Cell.Num(p.RefundedAmount is { } r and > 0 ? $"{ReportNumber.Display(r, "amount", p.Currency?.ToUpperInvariant())} {p.Currency?.ToUpperInvariant()}" : ""),
                Cell.Num(Number(p.Usages)), Cell.Id(string.Join(", ", p.OurSubmissions.Select(s => s.ToString(CultureInfo.InvariantCulture)))), Cell.Num(Number(p.OurRows)),
            ]));
    }

    private static void Verdict(HtmlPage page, ReconcileReport report, IReadOnlyList<ReconcileKindSummary> kinds)
    {
        var differences = kinds.Where(k => ReconcileKinds.IsDifference(k.Kind)).Select(Described).ToList();
        var receipts = kinds.Where(k => !ReconcileKinds.IsDifference(k.Kind)).Sum(k => k.Count);
        var text = report.Clean
            ? "the ledger and the provider agree."
            : $"{ReportSummaryText.Count(report.Differences, "finding")} {(report.Differences == 1 ? "needs" : "need")} a look: {string.Join("; ", differences)}."
              + (report.Differences == 1 ? " It is" : " They are") + " listed first below.";
        text += receipts == 0
            ? " No new receipts or invoices."
            : $" {ReportSummaryText.Count(receipts, "receipt or invoice id")} written back (routine, counted below, one row each in the CSV).";
        page.Raw("<p class=\"summary\"><span class=\"").Raw(report.Clean ? "pass" : "fail").Raw("\">")
            .Text(report.Clean ? "CLEAN" : "DIFFERENCES").Raw("</span>: ").Text(text).Raw("</p>\n");
    }

    private static string Described(ReconcileKindSummary kind) =>
        kind.Values.Count == 0 ? $"{Count(kind.Count)} {kind.Kind}" : $"{Count(kind.Count)} {kind.Kind} ({ReconcileSummary.Values(kind)})";

    private static void Summary(HtmlPage page, IReadOnlyList<ReconcileKindSummary> kinds)
    {
        page.Heading(2, "Summary by kind");
        if (kinds.Count == 0)
        {
            page.Note("No findings: every confirmed submission in the period is at the provider with the same value, and nothing else is.");
            return;
        }

        page.FixedTable([("Kind", "160px"), ("Findings", "90px"), ("Value", "220px"), ("What it means", null)],
            kinds.Select(k => (IReadOnlyList<Cell>)
            [
                KindCell(k.Kind), Cell.Num(Count(k.Count)), Cell.Num(k.Values.Count == 0 ? "" : ReconcileSummary.Values(k)), ReconcileKinds.Meaning(k.Kind),
            ]));
    }

    private static void Differences(HtmlPage page, ReconcileReport report)
    {
        var differences = report.Findings.Where(f => ReconcileKinds.IsDifference(f.Kind))
            .OrderBy(f => ReconcileKinds.Rank(f.Kind)).ThenBy(f => f.Kind, StringComparer.Ordinal)
            .ThenBy(f => f.SubmissionId).ThenBy(f => f.ProviderUsageId, StringComparer.Ordinal).ToList();
        if (differences.Count == 0)
        {
            return;
        }

        page.Heading(2, "Differences");
        // A provider listed by usage date takes one usage per (customer, item, usage date), so the date tells usages apart.
        var terms = ProviderReportTerms.Of(report.Provider);
        var byUsageDate = ProviderRegistry.Find(report.Provider)?.Capabilities.Dating == ReconcileDating.UsageDate;
        page.FixedTable(
            [
                ("Finding", "150px"), ("Submission", "90px"), (terms.Customer, "140px"), (terms.Item, "130px"),
                (byUsageDate ? "Usage date" : "Created at", "190px"), ("Ours", "90px"), ("Provider", "90px"), ("Unit", "48px"),
                ("Provider usage id", "130px"), (terms.ReceiptId, "110px"), ("Detail", null),
            ],
            differences.Select(f =>
            {
                var unit = ReportNumber.Unit(f.ValueKind, report.Currency);
                return (IReadOnlyList<Cell>)
                [
                    KindCell(f.Kind), f.SubmissionId is { } s ? Cell.Num(Number(s)) : "",
                    Cell.Id(terms.QualifiedIds ? $"{f.CustomerField}={f.CustomerId}" : f.CustomerId), Cell.Id(terms.QualifiedIds ? $"{f.ItemField}={f.ItemId}" : f.ItemId),
                    new Cell(Time(byUsageDate ? f.UsageDate ?? f.CreatedAt : f.CreatedAt ?? f.UsageDate), "id time"),
                    Cell.Num(ReportNumber.Display(f.OurValue, f.ValueKind, unit)), Cell.Num(ReportNumber.Display(f.ProviderValue, f.ValueKind, unit)), unit,
                    Cell.Id(f.ProviderUsageId), Cell.Id(f.ReceiptId), f.Detail,
                ];
            }));
    }

    private static void Receipts(HtmlPage page, ReconcileReport report, IReadOnlyList<ReconcileKindSummary> kinds)
    {
        var receipts = kinds.FirstOrDefault(k => k.Kind is ReconcileKinds.ReceiptAssigned or ReconcileKinds.Invoiced);
        page.Heading(2, "Receipts and invoices written back");
        var terms = ProviderReportTerms.Of(report.Provider);
        var what = terms.ReceiptNoun;
        page.Note(receipts is null
            ? $"None: no usage in the period was newly {terms.ReceiptVerb}."
            : $"{ReportSummaryText.Count(receipts.Count, "usage")} {(receipts.Count == 1 ? "was" : "were")} {terms.ReceiptVerb} by the provider since {(receipts.Count == 1 ? "it was" : "they were")} billed"
              + (receipts.Values.Count == 0 ? "" : $" ({ReconcileSummary.Values(receipts)})")
              + $": each {what} id is now in the ledger and on the rows it covers. Routine, nothing to do; each is one {receipts.Kind} row in the CSV and JSON next to this page.");
    }

    private static Cell KindCell(string kind) => new(kind, ReconcileKinds.IsDifference(kind) ? "fail" : "pass");

    private static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Day(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
