namespace UsageBatch.Storage;

/// <summary>
/// Every statement the store sends, by name (where a count of rows changed is used, the statement answers it as a
/// scalar, counted from what it changed: the client's count would include rows a DBA's trigger touched): the part of a dialect that differs (lock hints, <c>OUTPUT … INTO</c>
/// vs <c>RETURNING</c>, <c>TOP</c> vs <c>LIMIT</c>, types). Each dialect fills every one from its own constants, with
/// the same parameters and the same answer, so <see cref="BillingStore"/> is written once. What each answers is
/// said here; both dialects are held to it by the same contract tests.
/// </summary>
internal sealed class Statements
{
    // Installation and runs
    /// <summary>usage_id_prefix of row 1, locked until commit (two first runs create one row). Scalar.</summary>
    public required string UsageIdPrefix { get; init; }
    public required string InsertInstallation { get; init; }
    /// <summary>Inserts a 'running' run; answers its id.</summary>
    public required string StartRun { get; init; }
    /// <summary>Renews a run's lease while it is still 'running'; rows changed (scalar).</summary>
    public required string RenewRunLease { get; init; }
    public required string FinishRun { get; init; }
    public required string RunStatus { get; init; }
    /// <summary>id, job, host, process_id, process_start, started_at, lease_until of every 'running' run, by id.</summary>
    public required string RunningRuns { get; init; }
    /// <summary>Marks a running run dead and deletes its ub_job_lock row; answers 1 when it was running.</summary>
    public required string DeclareDead { get; init; }

    // Ledger
    /// <summary>Marks runs whose lease ran out dead, adopts up to @BatchSize of the account's unsettled submissions of runs not running, logs an 'adopted' event each; answers them (<see cref="LedgerRows.Columns"/> + previous owner), by id.</summary>
    public required string AdoptOrphans { get; init; }
    /// <summary>prepared/sent → sent while the run owns it and its lease outlasts the request; rows changed (scalar).</summary>
    public required string MarkSent { get; init; }
    public required string MoveUsageDate { get; init; }
    public required string OwnedUsageIds { get; init; }
    /// <summary>The outcome onto an unsettled submission the run owns; rows changed (scalar).</summary>
    public required string RecordOutcome { get; init; }
    /// <summary>Up to @BatchSize of the submission's 'claimed' rows take its outcome, with a row exception each when @ExceptionKind is set; answers how many.</summary>
    public required PerTable SettleBatch { get; init; }
    public required string MarkSettled { get; init; }
    /// <summary>Ids of the run's confirmed, unsettled submissions of a usage table, by id, with the rows each claimed.</summary>
    public required string ConfirmedUnsettled { get; init; }
    /// <summary>
    /// The rows of the run's confirmed, unsettled submissions with ids in [@FirstId, @LastId] take their outcome, in
    /// one statement (the caller keeps the rows those submissions claimed within the dialect's rows per statement);
    /// answers how many moved.
    /// </summary>
    public required PerTable SettleConfirmedRange { get; init; }
    /// <summary>Those submissions of [@FirstId, @LastId] none of whose rows is still 'claimed' (or 'pending' again) are settled.</summary>
    public required PerTable MarkConfirmedRangeSettled { get; init; }
    /// <summary>
    /// Up to @BatchSize final, settled submissions of @Account that no written report carries yet (never reported,
    /// or reported by a run that is no longer running and wrote no report), owned by this run or by one no longer
    /// running, become this run's to report; those another run finished get a 'carried' event and a copy of their
    /// status event as this run's own. Answers how many it took (scalar); @Carried how many of them were another run's.
    /// </summary>
    public required string CarryUnreported { get; init; }
    /// <summary>The run's report files are written: what it carried is reported.</summary>
    public required string MarkReportWritten { get; init; }
    /// <summary>The run's report could not be written: 'succeeded' becomes 'attention' (exit 1) with @Message; a worse outcome stays.</summary>
    public required string MarkReportFailed { get; init; }
    public required string GetSubmission { get; init; }
    public required string SubmissionsOfRun { get; init; }
    public required string InsertEvent { get; init; }
    public required string InsertRowException { get; init; }

    // Validate
    /// <summary>Every pending row as <see cref="DbRead.UsageRow"/> reads it (id, source_key, occurred_at, the table's fields), streamed.</summary>
    public required PerTable PendingRows { get; init; }
    /// <summary>Makes the (empty) staging table the dialect's <see cref="StoreDialect.StageRejectionsAsync"/> fills.</summary>
    public required string CreateRejectStage { get; init; }
    /// <summary>Rejects the staged rows still pending, with a row exception each, and empties the stage; answers how many.</summary>
    public required PerTable RejectStaged { get; init; }
    /// <summary>Holds up to @BatchSize pending rows whose submission is confirmed, zero or held, with a row exception each; answers how many.</summary>
    public required PerTable HoldRequeued { get; init; }

    // Claim and prepare
    /// <summary>
    /// customer_field, customer_id, item_field, item_id, value_field, bucket (see <see cref="Grouping.TryBucket"/>; NULL
    /// for a table without date buckets), count, total, last occurred_at of pending rows before @Cutoff, in that order.
    /// </summary>
    public required PerTable Groups { get; init; }
    /// <summary>A 'preparing' ledger row for a group while the run is still 'running'; answers its id, or nothing when the run is not.</summary>
    public required string InsertPreparing { get; init; }
    /// <summary>Claims up to @BatchSize pending rows of one group (its <see cref="ClaimKey"/>) for @SubmissionId; answers them as usage rows, by id.</summary>
    public required PerTable ClaimBatch { get; init; }
    public required PerTable RejectClaimedRow { get; init; }
    /// <summary>
    /// The claim's writes of its own ledger row, each only while the run owns it, it is 'preparing' and the run is
    /// 'running'; each answers rows changed (scalar), 0 meaning the run has lost it to a recovering run.
    /// </summary>
    public required string UpdatePreparing { get; init; }
    public required string DeleteSubmission { get; init; }
    public required string DecideSubmission { get; init; }
    /// <summary>Submissions of a customer (@CustomerField, @CustomerId) that count toward a lifetime cap of usages. Scalar.</summary>
    public required string CapCount { get; init; }
    /// <summary>usage_date of submissions that may exist at the provider for a customer and item (@CustomerId, @ItemId) in [@Start, @End).</summary>
    public required string UsedUsageDates { get; init; }

    // Requeue
    public required PerTable FindRequeuedBilled { get; init; }
    public required PerTable FindHeldRow { get; init; }
    /// <summary>Up to @BatchSize of a submission's held rows back to 'claimed'; rows changed (scalar).</summary>
    public required PerTable ReopenRowsBatch { get; init; }
    public required string ReopenSubmission { get; init; }
    public required PerTable RestoreBilledRow { get; init; }
    public required PerTable SourceKeyOfRow { get; init; }
    public required PerTable ReleaseRow { get; init; }

    // Reports and reconcile
    public required string GetRun { get; init; }
    public required string LastFinishedRun { get; init; }
    public required string RowIdsOfRun { get; init; }
    public required string EventsOfRun { get; init; }
    public required string RowExceptionsOfRun { get; init; }
    public required string ConfirmedCounts { get; init; }
    /// <summary>
    /// customer_field, customer_id billed (confirmed or zero) in each of @Job's last @Runs runs before @RunId that billed
    /// anything, with no submission in @RunId; nothing while fewer than @Runs such runs exist.
    /// </summary>
    public required string SilentCustomers { get; init; }
    public required string ConfirmedByUsageDate { get; init; }
    public required string ConfirmedBySentAt { get; init; }
    public required string SubmissionsByUsageIds { get; init; }
    public required string RecordReceipt { get; init; }
    /// <summary>Up to @BatchSize of a submission's billed rows take its receipt; rows changed (scalar).</summary>
    public required PerTable RecordReceiptRows { get; init; }

    // Status and console
    /// <summary>pending before @Cutoff, pending from it, claimed, billed, rejected, held.</summary>
    public required PerTable CountRows { get; init; }
    public required string RecentRuns { get; init; }
    public required string LastRun { get; init; }
    public required PerTable OldestPending { get; init; }
    /// <summary>MAX(occurred_at) of the usage table, any status (its freshness); null when empty. Scalar.</summary>
    public required PerTable NewestOccurred { get; init; }
    public required string Runs { get; init; }
    public required string RunCount { get; init; }
    public required PerTable ExceptionGroups { get; init; }
    public required PerTable ExceptionRows { get; init; }
}
