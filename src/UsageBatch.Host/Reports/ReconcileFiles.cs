using System.Globalization;
using System.Text;
using static UsageBatch.Reports.HtmlPage;

namespace UsageBatch.Reports;

/// <summary>
/// Writes a reconcile report as <c>{directory}/{yyyy-MM-dd}/{job}-reconcile-{from}-{to}.html|.json|.csv</c>, dated
/// by the day reconcile ran (UTC); the same cell rules as the run reports.
/// </summary>
internal static class ReconcileFiles
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static async Task<IReadOnlyList<string>> WriteAsync(ReconcileReport report, string directory, CancellationToken cancellationToken)
    {
        var stem = Path.Combine(ReportPaths.Folder(directory, report.ReconciledAt),
            $"{ReportPaths.SafeName(report.Job)}-reconcile-{Day(report.From)}-{Day(report.To)}");
        Directory.CreateDirectory(Path.GetDirectoryName(stem)!);
        string[] paths = [stem + ".html", stem + ".json", stem + ".csv"];
        await File.WriteAllTextAsync(paths[0], Html(report), Utf8, cancellationToken);
        await File.WriteAllTextAsync(paths[1], ReportJson.Serialize(report), Utf8, cancellationToken);
        await File.WriteAllBytesAsync(paths[2], Csv(report), cancellationToken);
        return paths;
    }

    private static string Day(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Html(ReconcileReport report)
    {
        var page = new HtmlPage($"{report.Job} reconcile {Day(report.From)} to {Day(report.To)}");
        page.Heading(1, $"UsageBatch reconciliation: {report.Job}, {Day(report.From)} to {Day(report.To)} (exclusive)");
        page.Facts(
        [
            ("Job", report.Job),
            ("Provider", $"{report.Provider} (account {report.ProviderAccount})"),
            ("Period", $"[{Time(report.From)}, {Time(report.To)})"),
            ("Reconciled at", Time(report.ReconciledAt)),
            ("Currency of amounts", report.Currency ?? "not configured"),
            ("Compared", string.Create(CultureInfo.InvariantCulture, $"{report.LedgerSubmissions} confirmed submissions in our ledger, {report.ProviderUsages} usages listed at the provider")),
        ]);
        page.Raw(report.Clean ? "<p class=\"pass\">" : "<p class=\"fail\">")
            .Text(report.Clean ? "CLEAN: the ledger and the provider agree." : string.Create(CultureInfo.InvariantCulture, $"DIFFERENCES: {report.Differences} finding(s) need a look."))
            .Raw("</p>\n");
        if (report.Findings.Count > 0)
        {
            page.Table(["Finding", "Submission", "Provider usage id", "Customer", "Item", "Value kind", "Ours", "Provider", "Receipt / invoice", "Usage date", "Created at", "Detail"],
                report.Findings.Select(f => (IReadOnlyList<Cell>)
                [
                    new Cell(f.Kind, ReconcileKinds.IsDifference(f.Kind) ? "fail" : "pass"), f.SubmissionId is { } s ? Cell.Num(Number(s)) : "",
                    Cell.Id(f.ProviderUsageId), Cell.Id($"{f.CustomerField}={f.CustomerId}"), Cell.Id($"{f.ItemField}={f.ItemId}"), f.ValueKind,
                    Cell.Num(ReportNumber.Format(f.OurValue, f.ValueKind)), Cell.Num(ReportNumber.Format(f.ProviderValue, f.ValueKind)),
                    Cell.Id(f.ReceiptId), Time(f.UsageDate), Time(f.CreatedAt), f.Detail,
                ]));
        }

        page.Note("receipt_assigned is an update, not a difference: the provider has charged or invoiced the usage and its id is now in the ledger and on the rows. Whop lists have no date filter and no list across customers, so usages made elsewhere are found only for the customer/item pairs our ledger billed in the period.");
        return page.ToString();
    }

    public static byte[] Csv(ReconcileReport report)
    {
        using var csv = new CsvTable(
        [
            "job", "from", "to", "finding", "submission_id", "provider_usage_id", "customer_field", "customer_id", "item_field", "item_id",
            "value_kind", "our_value", "provider_value", "receipt_id", "usage_date", "created_at", "detail",
        ]);
        foreach (var f in report.Findings)
        {
            csv.Text(report.Job).Time(report.From).Time(report.To).Text(f.Kind).Number(f.SubmissionId).Text(f.ProviderUsageId)
                .Text(f.CustomerField).Text(f.CustomerId).Text(f.ItemField).Text(f.ItemId).Text(f.ValueKind)
                .Number(f.OurValue, f.ValueKind).Number(f.ProviderValue, f.ValueKind).Text(f.ReceiptId).Time(f.UsageDate).Time(f.CreatedAt).Text(f.Detail);
            csv.EndRow();
        }

        return csv.ToBytes();
    }
}
