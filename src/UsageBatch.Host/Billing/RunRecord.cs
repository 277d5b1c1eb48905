namespace UsageBatch.Billing;

/// <summary>The start of a run (ub_run). <see cref="Lease"/> runs on the database's clock, from when the row is written.</summary>
internal sealed record RunRecord(
    string Job,
    string ProviderAccount,
    string UsageTable,
    bool DryRun,
    DateTimeOffset ScheduledAt,
    DateTimeOffset Cutoff,
    DateTimeOffset StartedAt,
    TimeSpan Lease,
    string Host,
    int ProcessId,
    string? ProcessStart = null);
