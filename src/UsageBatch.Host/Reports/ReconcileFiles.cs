using System.Globalization;
using System.Text;

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

    public static string Html(ReconcileReport report) => ReconcileHtml.Render(report);

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
