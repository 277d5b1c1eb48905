namespace UsageBatch.Reports;

/// <summary>ub_run as a report reads it.</summary>
internal sealed record ReportRunRow(
    long Id,
    string Job,
    string ProviderAccount,
    string UsageTable,
    string Status,
    bool DryRun,
    DateTimeOffset ScheduledAt,
    DateTimeOffset Cutoff,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string Host,
    int? ExitCode,
    string? Message,
    string? SummaryJson);
