namespace UsageBatch.Billing;

/// <summary>The start of a run (ub_run).</summary>
internal sealed record RunRecord(
    string Job,
    string ProviderAccount,
    string UsageTable,
    bool DryRun,
    DateTimeOffset ScheduledAt,
    DateTimeOffset Cutoff,
    DateTimeOffset StartedAt,
    DateTimeOffset LeaseUntil,
    string Host,
    int ProcessId,
    string? ProcessStart = null);
