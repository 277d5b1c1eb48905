namespace UsageBatch.Reports;

/// <summary>One ub_row_exception row the run recorded.</summary>
internal sealed record ReportExceptionRow(
    long RowId,
    string UsageTable,
    string? SourceKey,
    long? SubmissionId,
    string Kind,
    string Reason,
    DateTimeOffset At);
