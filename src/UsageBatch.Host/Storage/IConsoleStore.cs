using UsageBatch.Billing;

namespace UsageBatch.Storage;

/// <summary>
/// The read-only queries of the operator console beyond what reports and `status` already read. Kept apart from
/// <see cref="IBillingStore"/> so the billing contract does not grow for a page; both stores implement it.
/// </summary>
internal interface IConsoleStore
{
    /// <summary>The highest schema version applied (0 when the schema is missing); reads only, never upgrades.</summary>
    Task<int> SchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>The job's newest run; with <paramref name="completedOnly"/> the newest that finished its work (succeeded or attention).</summary>
    Task<ConsoleRun?> LastRunAsync(string job, bool completedOnly, CancellationToken cancellationToken);

    /// <summary>The earliest occurred_at among the table's pending rows (null when none, or when it is not canonical UTC).</summary>
    Task<DateTimeOffset?> OldestPendingAsync(UsageTable table, CancellationToken cancellationToken);

    /// <summary>Runs newest first, optionally of one job and one outcome, and how many match in all.</summary>
    Task<(IReadOnlyList<ConsoleRun> Runs, long Total)> RunsAsync(string? job, string? status, int skip, int take, CancellationToken cancellationToken);

    /// <summary>Held and rejected rows that belong to a submission, counted per submission (newest submissions first).</summary>
    Task<IReadOnlyList<ConsoleExceptionGroup>> ExceptionGroupsAsync(UsageTable table, int take, CancellationToken cancellationToken);

    /// <summary>
    /// Held and rejected rows that are not covered by a held or rejected submission of their own: rows rejected by
    /// validation, and re-queued rows held against an earlier confirmed submission. Newest rows first.
    /// </summary>
    Task<IReadOnlyList<ConsoleExceptionRow>> ExceptionRowsAsync(UsageTable table, int take, CancellationToken cancellationToken);
}

/// <summary>One ub_run row as the console lists it.</summary>
internal sealed record ConsoleRun(long Id, string Job, RunOutcome Status, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, int? ExitCode, string? Message, string? SummaryJson);

/// <summary>A submission whose rows are held or rejected now.</summary>
internal sealed record ConsoleExceptionGroup(long SubmissionId, string SubmissionStatus, string RowStatus, long Rows, long FirstRowId, long? RunId,
    string? Reason, string Customer, string Item);

/// <summary>One held or rejected usage row.</summary>
internal sealed record ConsoleExceptionRow(long RowId, string SourceKey, string Status, string? Reason, long? RunId, long? SubmissionId,
    string? OccurredAt, string? Customer, string? Item, string? Note);
