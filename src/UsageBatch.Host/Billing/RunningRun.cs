namespace UsageBatch.Billing;

/// <summary>A run recorded as 'running' (ub_run): where and in which process it runs, until when its lease holds, and whether it has lapsed by the database's clock.</summary>
/// <param name="ProcessStart">The process's start as <see cref="ProcessIdentity"/> records it; null for runs recorded
/// before schema 3 (SQLite) / 5 (SQL Server).</param>
internal sealed record RunningRun(long RunId, string Job, string Host, int ProcessId, string? ProcessStart, DateTimeOffset StartedAt, DateTimeOffset LeaseUntil, bool LeaseExpired = false);
