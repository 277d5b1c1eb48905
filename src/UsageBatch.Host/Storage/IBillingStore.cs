using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Usage;

namespace UsageBatch.Storage;

/// <summary>
/// Everything the billing run persists: <see cref="BillingStore"/> over either database's dialect, held to one set of
/// contract tests. Every method is one or a few short transactions. Reports, requeue and the console read through
/// their own interfaces (<see cref="IReportStore"/>, <see cref="IRequeueStore"/>, <see cref="IConsoleStore"/>) of the same store.
/// </summary>
internal interface IBillingStore
{
    string Dialect { get; }

    /// <summary>
    /// Makes sure the schema is usable before a run, `status` or `demo`; returns the schema version. SQLite creates or
    /// upgrades its embedded file here; SQL Server only checks the version (it may run under the least-privilege
    /// role) and throws when the database is behind this build.
    /// </summary>
    Task<int> EnsureSchemaAsync(CancellationToken cancellationToken);

    /// <summary>Creates or upgrades the schema from <c>sql/{Dialect}/</c> (`db init`); returns the schema version.</summary>
    Task<int> ApplySchemaAsync(CancellationToken cancellationToken);

    /// <summary>This installation's prefix for Chargebee usage ids (created once, stable forever).</summary>
    Task<string> GetUsageIdPrefixAsync(DateTimeOffset now, CancellationToken cancellationToken);

    // Runs, leases and the run guard
    Task<long> StartRunAsync(RunRecord run, CancellationToken cancellationToken);
    // Leases are written and compared on the database's clock, never a host's (invariant I10): callers give lengths.
    Task<bool> TryAcquireJobLockAsync(string job, long runId, TimeSpan lease, CancellationToken cancellationToken);
    Task<long?> JobLockHolderAsync(string job, CancellationToken cancellationToken);
    Task ReleaseJobLockAsync(string job, long runId, CancellationToken cancellationToken);
    Task<bool> RenewLeaseAsync(long runId, string job, TimeSpan lease, CancellationToken cancellationToken);
    Task FinishRunAsync(long runId, RunOutcome outcome, int exitCode, string? message, string summaryJson, DateTimeOffset now, CancellationToken cancellationToken);
    Task<string?> RunStatusAsync(long runId, CancellationToken cancellationToken);

    /// <summary>Every run recorded 'running', of any job (for the crashed-process check and `status`).</summary>
    Task<IReadOnlyList<RunningRun>> RunningRunsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records a running run as dead because its process is gone (<paramref name="reason"/>), ends its lease and
    /// frees its run guard, so recovery takes its work over at once. False when it was no longer running.
    /// </summary>
    Task<bool> DeclareDeadAsync(long runId, string reason, DateTimeOffset now, CancellationToken cancellationToken);

    // Recover
    Task<IReadOnlyList<LedgerSubmission>> AdoptOrphansAsync(string providerAccount, long runId, DateTimeOffset now, CancellationToken cancellationToken);

    // Validate
    IAsyncEnumerable<UsageRow> ReadPendingRowsAsync(UsageTable table, CancellationToken cancellationToken);
    Task<int> RejectRowsAsync(UsageTable table, long runId, IReadOnlyList<RowRejection> rejections, DateTimeOffset now, CancellationToken cancellationToken);
    Task<int> HoldRequeuedRowsAsync(UsageTable table, long runId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Pending rows a run would hold instead of bill (set back to pending although their submission is confirmed,
    /// zero or held), read only: what a dry run reports. Reason as the run would write it.
    /// </summary>
    Task<IReadOnlyList<HeldRow>> FindRequeuedBilledRowsAsync(UsageTable table, CancellationToken cancellationToken);

    // Claim and prepare
    Task<IReadOnlyList<PendingGroup>> ListPendingGroupsAsync(UsageTable table, DateTimeOffset cutoff, string bucket, CancellationToken cancellationToken);

    /// <summary>
    /// Claims and prepares every listed group (<paramref name="template"/> with each group), all before anything is
    /// sent; the result per group is what was actually claimed and the decision on it. Groups nobody's rows
    /// remained for are left out.
    /// </summary>
    Task<IReadOnlyList<(ClaimedGroup Claimed, GroupDecision Decision)>> ClaimGroupsAsync(
        ClaimRequest template, IReadOnlyList<PendingGroup> groups, string bucket, Func<ClaimedGroup, GroupFacts, GroupDecision> decide, CancellationToken cancellationToken);

    // Send and settle
    /// <summary>Only while the run owns it, is 'running', and its lease outlasts <paramref name="leaseMustOutlast"/> from now by the database's clock.</summary>
    Task<bool> MarkSentAsync(long submissionId, long runId, DateTimeOffset now, TimeSpan leaseMustOutlast, CancellationToken cancellationToken);
    /// <summary>A new usage_date for a submission the run owns, with an event saying why (<paramref name="eventName"/>, <paramref name="detail"/>).</summary>
    Task MoveUsageDateAsync(long submissionId, long runId, DateTimeOffset usageDate, string eventName, string detail, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>An event on a submission's history (what the run learned about it), in its own short transaction.</summary>
    Task RecordEventAsync(long submissionId, long runId, string eventName, string detail, DateTimeOffset now, CancellationToken cancellationToken);
    Task<IReadOnlySet<DateTimeOffset>> UsedUsageDatesAsync(string account, SubmissionTarget target, DateTimeOffset bucketStart, DateTimeOffset bucketEnd, long exceptSubmissionId, CancellationToken cancellationToken);
    Task<IReadOnlySet<string>> OwnedUsageIdsAsync(string providerAccount, SubmissionTarget target, CancellationToken cancellationToken);
    Task<bool> RecordOutcomeAsync(OutcomeRecord outcome, CancellationToken cancellationToken);
    Task<int> SettleRowsAsync(long submissionId, long runId, int batchSize, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Settles the rows of the run's confirmed submissions whose outcome is recorded and whose rows are not yet settled.</summary>
    Task<int> SettleConfirmedAsync(UsageTable table, long runId, int batchSize, DateTimeOffset now, CancellationToken cancellationToken);

    // Report
    /// <summary>
    /// Takes for this run's report every final submission of the account that no written report carries yet: its
    /// own, and those finished by runs that died or could not write their report (each gets a 'carried' event and a
    /// copy of its status event as this run's own). Answers how many of them were another run's.
    /// </summary>
    Task<int> CarryUnreportedAsync(string providerAccount, long runId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The run's report files exist: what it carried is reported for good.</summary>
    Task MarkReportWrittenAsync(long runId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The run's report could not be written: a succeeded run becomes 'attention' (exit 1) with <paramref name="message"/>.</summary>
    Task MarkReportFailedAsync(long runId, string message, CancellationToken cancellationToken);

    // Read
    Task<LedgerSubmission?> GetSubmissionAsync(long submissionId, CancellationToken cancellationToken);
    Task<IReadOnlyList<LedgerSubmission>> SubmissionsOfRunAsync(long runId, CancellationToken cancellationToken);
    Task<RowCounts> CountRowsAsync(UsageTable table, DateTimeOffset cutoff, CancellationToken cancellationToken);

    /// <summary>The newest occurred_at in the usage table, whatever the row's status (null when the table is empty or it is unreadable).</summary>
    Task<DateTimeOffset?> NewestOccurredAsync(UsageTable table, CancellationToken cancellationToken);
    Task<IReadOnlyList<RunListItem>> RecentRunsAsync(string job, int count, CancellationToken cancellationToken);
}
