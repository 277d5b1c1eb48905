namespace UsageBatch.Reports;

/// <summary>One thing this run did to a submission (ub_submission_event).</summary>
internal sealed record ReportEvent(DateTimeOffset At, string Event, string? Detail);
