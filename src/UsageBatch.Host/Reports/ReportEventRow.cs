namespace UsageBatch.Reports;

/// <summary>One ub_submission_event row the run recorded.</summary>
internal sealed record ReportEventRow(
    long SubmissionId,
    DateTimeOffset At,
    string Event,
    string? Detail,
    string? ProviderUsageId,
    string? ProviderReceiptId,
    decimal? EchoedTotal,
    int? HttpStatus,
    string? ProviderCode);
