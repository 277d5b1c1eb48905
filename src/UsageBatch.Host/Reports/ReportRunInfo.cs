namespace UsageBatch.Reports;

/// <summary>The run record as the report shows it.</summary>
/// <param name="Currency">The account's currency for amounts, as the run recorded it (null when not configured).</param>
internal sealed record ReportRunInfo(
    long RunId,
    string Job,
    string ProviderAccount,
    string Provider,
    string UsageTable,
    string Outcome,
    int? ExitCode,
    string? Message,
    bool DryRun,
    DateTimeOffset ScheduledAt,
    DateTimeOffset Cutoff,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string Host,
    string? Currency,
    int CapWarnAt,
    int UsageCap);
