using UsageBatch.Billing;

namespace UsageBatch.Reports;

/// <summary>A ledger row with the compact ranges of the usage rows it covers (ub_submission.row_ids).</summary>
internal sealed record ReportSubmissionRow(LedgerSubmission Submission, string RowIds);
