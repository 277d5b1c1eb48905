namespace UsageBatch.Reports;

/// <summary>The run report's two CSV files: every submission, and every exception (see <see cref="CsvTable"/> for the cell rules).</summary>
internal static class RunReportCsv
{
    public static byte[] Submissions(RunReport report)
    {
        using var csv = new CsvTable(
        [
            "run_id", "submission_id", "status", "reason", "customer_field", "customer_id", "item_field", "item_id", "value_kind", "unit",
            "row_count", "total", "echoed_total", "bucket_start", "usage_date", "usage_id", "provider_usage_id", "provider_receipt_id",
            "http_status", "provider_code", "row_ids",
        ]);
        foreach (var s in report.Submissions)
        {
            csv.Number(report.Run.RunId).Number(s.Id).Text(s.Status).Text(s.Reason).Text(s.CustomerField).Text(s.CustomerId)
                .Text(s.ItemField).Text(s.ItemId).Text(s.ValueKind).Text(s.Unit).Number(s.RowCount).Number(s.Total, s.ValueKind)
                .Number(s.EchoedTotal, s.ValueKind).Time(s.BucketStart).Time(s.UsageDate).Text(s.UsageId).Text(s.ProviderUsageId)
                .Text(s.ProviderReceiptId).Number(s.HttpStatus).Text(s.ProviderCode).Text(s.RowIds);
            csv.EndRow();
        }

        return csv.ToBytes();
    }

    public static byte[] Exceptions(RunReport report)
    {
        using var csv = new CsvTable(["run_id", "scope", "kind", "usage_table", "row_id", "source_key", "submission_id", "reason", "what_to_do", "at"]);
        foreach (var e in report.Exceptions)
        {
            csv.Number(report.Run.RunId).Text(e.Scope).Text(e.Kind).Text(e.UsageTable).Number(e.RowId).Text(e.SourceKey)
                .Number(e.SubmissionId).Text(e.Reason).Text(e.WhatToDo).Time(e.At);
            csv.EndRow();
        }

        return csv.ToBytes();
    }
}
