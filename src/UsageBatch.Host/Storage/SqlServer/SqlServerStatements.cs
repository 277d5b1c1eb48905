namespace UsageBatch.Storage.SqlServer;

/// <summary>
/// The SQL Server dialect's statements: constant templates in which <c>$(Schema)</c> and <c>$(UsageTable)</c> are the
/// only placeholders (the schema is checked as a plain identifier; the usage table is one of the two fixed names)
/// and <c>$(SubmissionColumns)</c> the ledger's column list. Every value travels as a parameter. The statement gate
/// parses each one and resolves it against the model of sql/sqlserver.
/// <para>
/// The hints, once: ROWLOCK takes row locks only, never page locks that would block a neighbour's rows.
/// READCOMMITTEDLOCK reads with locks even when the database has READ_COMMITTED_SNAPSHOT on (Azure SQL's
/// default): a versioned read could see a row as still pending after another run claimed it, and a versioned
/// read refuses or ignores READPAST. READPAST skips rows another run has locked (it is claiming them) instead of
/// queueing behind them. Statements that move usage rows take at most @BatchSize of them, sized by
/// <see cref="SqlServerLocking"/> to stay under lock escalation.
/// </para>
/// </summary>
internal static class SqlServerStatements
{
    private const string SubmissionColumns = LedgerRows.Columns;

    // A pending row may be claimed only when its previous submission, if any, is final and unbilled (void, released,
    // rejected): a row a DBA set back to 'pending' under a live or billed submission is never billed again; the hold
    // step holds it instead. Most rows have no submission, so the seek on the ledger's key is skipped for them. A
    // versioned read of the ledger row (READ_COMMITTED_SNAPSHOT) can only see an older, never a freer, status.
    // Spliced into the claim and planning statements as a constant (the compiler refuses anything but constants).
    private const string ClaimableU = """
        (u.billing_submission_id IS NULL OR NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_submission AS prev
                                                       WHERE prev.id = u.billing_submission_id AND prev.status NOT IN ('void', 'released', 'rejected')))
        """;

    // The claim's writes of its own ledger row: only while the run still owns it, it is still 'preparing' and the run
    // is still 'running' (a recovering run that adopted it has voided it; writing on would strand its rows). The
    // ledger row is locked by the statement, so an adoption in flight waits for this transaction or wins before it.
    private const string StillPreparing = """
        owner_run_id = @RunId AND status = 'preparing'
          AND EXISTS (SELECT 1 FROM [$(Schema)].ub_run WITH (READCOMMITTEDLOCK) WHERE id = @RunId AND status = 'running')
        """;
    // Each short transaction's first statement: a statement blocked longer than this fails with 1222 and the
    // transaction runs again (SqlServerDatabase.LockTimeout; a literal, as SET LOCK_TIMEOUT takes no variable).
    internal const string SetLockTimeoutSql = "SET LOCK_TIMEOUT 10000;";

    // Installation, runs and the run guard
    internal const string InstallationSql = """
        SELECT usage_id_prefix FROM [$(Schema)].ub_installation WITH (UPDLOCK, HOLDLOCK) WHERE id = 1;
        """;

    internal const string InsertInstallationSql = """
        INSERT INTO [$(Schema)].ub_installation (id, installation_id, usage_id_prefix, created_at) VALUES (1, @Id, @Prefix, @Now);
        """;

    // OUTPUT … INTO, never a plain OUTPUT: refused (Msg 334) once a DBA puts a trigger on the table.
    internal const string StartRunSql = """
        DECLARE @inserted TABLE (id bigint NOT NULL);
        INSERT INTO [$(Schema)].ub_run (job, provider_account, usage_table, status, dry_run, scheduled_at, cutoff, started_at,
                                        lease_until, host, process_id, process_start)
        OUTPUT inserted.id INTO @inserted (id)
        VALUES (@Job, @ProviderAccount, @UsageTable, 'running', @DryRun, @ScheduledAt, @Cutoff, @StartedAt,
                DATEADD(millisecond, @LeaseMs, SYSUTCDATETIME()), @Host, @ProcessId, @ProcessStart);
        SELECT id FROM @inserted;
        """;

    // Session-owned: held for the whole run on the guard's own connection, released by SQL Server the moment that
    // session ends (the process died), so a killed run never locks the job. @LockTimeout = 0: never wait.
    internal const string GetJobLockSql = """
        DECLARE @result int;
        EXEC @result = sp_getapplock @Resource = @Resource, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 0, @DbPrincipal = 'public';
        SELECT @result;
        """;

    // Transaction-owned: released at commit or rollback. Waits (no timeout of its own): the holder is another claim's
    // short decide transaction; a cycle with row locks is a deadlock SQL Server resolves, and the transaction reruns.
    internal const string LockGroupFactsSql = """
        DECLARE @result int;
        EXEC @result = sp_getapplock @Resource = @Resource, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = -1, @DbPrincipal = 'public';
        SELECT @result;
        """;

    internal const string WriteJobLockRowSql = """
        UPDATE [$(Schema)].ub_job_lock SET run_id = @RunId, lease_until = DATEADD(millisecond, @LeaseMs, SYSUTCDATETIME()) WHERE job = @Job;
        IF @@ROWCOUNT = 0
            INSERT INTO [$(Schema)].ub_job_lock (job, run_id, lease_until) VALUES (@Job, @RunId, DATEADD(millisecond, @LeaseMs, SYSUTCDATETIME()));
        """;

    internal const string ReleaseJobLockSql = """
        DELETE FROM [$(Schema)].ub_job_lock WHERE job = @Job AND run_id = @RunId;
        IF APPLOCK_MODE('public', @Resource, 'Session') <> 'NoLock'
            EXEC sp_releaseapplock @Resource = @Resource, @LockOwner = 'Session', @DbPrincipal = 'public';
        """;

    internal const string DeleteJobLockRowSql = "DELETE FROM [$(Schema)].ub_job_lock WHERE job = @Job AND run_id = @RunId;";

    // APPLOCK_TEST = 1 means the lock could be granted, i.e. nobody holds it (whatever a stale row says).
    internal const string JobLockHolderSql = """
        SELECT CASE WHEN APPLOCK_TEST('public', @Resource, 'Exclusive', 'Session') = 1 THEN NULL
                    ELSE (SELECT run_id FROM [$(Schema)].ub_job_lock WHERE job = @Job) END;
        """;

    internal const string RenewRunLeaseSql = """
        DECLARE @changed TABLE (id bigint NOT NULL);
        UPDATE [$(Schema)].ub_run SET lease_until = DATEADD(millisecond, @LeaseMs, SYSUTCDATETIME())
        OUTPUT inserted.id INTO @changed (id)
        WHERE id = @RunId AND status = 'running';
        SELECT COUNT(*) FROM @changed;
        """;

    // Answers the session's hold on the app lock too: a renewal that succeeds on a session that no longer holds the
    // lock (it cannot be taken from a live session, but a DBA's sp_releaseapplock on it can) is a lost guard.
    internal const string RenewJobLockSql = """
        UPDATE [$(Schema)].ub_job_lock SET lease_until = DATEADD(millisecond, @LeaseMs, SYSUTCDATETIME()) WHERE job = @Job AND run_id = @RunId;
        SELECT APPLOCK_MODE('public', @Resource, 'Session');
        """;

    internal const string JobLockModeSql = "SELECT APPLOCK_MODE('public', @Resource, 'Session');";

    internal const string FinishRunSql = """
        UPDATE [$(Schema)].ub_run
        SET status = @Status, exit_code = @ExitCode, message = @Message, summary_json = @Summary, finished_at = @Now, lease_until = @Now
        WHERE id = @RunId AND status = 'running';
        """;

    internal const string RunStatusSql = "SELECT status FROM [$(Schema)].ub_run WHERE id = @RunId;";

    // The crashed-process check
    internal const string RunningRunsSql = """
        SELECT id, job, host, process_id, process_start, started_at, lease_until,
               CAST(CASE WHEN lease_until < SYSUTCDATETIME() THEN 1 ELSE 0 END AS bigint) AS lease_expired
        FROM [$(Schema)].ub_run WHERE status = 'running' ORDER BY id;
        """;

    internal const string DeclareDeadSql = """
        UPDATE [$(Schema)].ub_run WITH (ROWLOCK)
        SET status = 'dead', finished_at = @Now, lease_until = @Now, message = @Reason
        WHERE id = @RunId AND status = 'running';
        SELECT @@ROWCOUNT;
        DELETE FROM [$(Schema)].ub_job_lock WHERE run_id = @RunId;
        """;

    // Ledger
    // A run whose lease ran out is dead: mark it so, which also makes its own lease renewal fail if it is merely
    // stalled, so it can never act on what is taken over here. Then adopt up to @BatchSize unsettled submissions of
    // runs that are not running (under lock escalation; the store loops until fewer come back), and log each
    // adoption, all in one short transaction.
    internal const string AdoptOrphansSql = """
        UPDATE [$(Schema)].ub_run WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET status = 'dead', finished_at = @Now, message = CONCAT(N'lease expired; recovered by run ', @RunId)
        WHERE status = 'running' AND lease_until < SYSUTCDATETIME() AND id <> @RunId;

        DECLARE @adopted TABLE (id bigint NOT NULL PRIMARY KEY, previous_owner bigint NOT NULL, status varchar(10) NOT NULL);
        UPDATE TOP (@BatchSize) s
        SET owner_run_id = @RunId, updated_at = @Now
        OUTPUT inserted.id, deleted.owner_run_id, inserted.status INTO @adopted (id, previous_owner, status)
        FROM [$(Schema)].ub_submission AS s WITH (ROWLOCK, READCOMMITTEDLOCK)
        WHERE s.provider_account = @Account AND s.settled_at IS NULL AND s.owner_run_id <> @RunId
          AND EXISTS (SELECT 1 FROM [$(Schema)].ub_run AS r WITH (READCOMMITTEDLOCK) WHERE r.id = s.owner_run_id AND r.status <> 'running');

        INSERT INTO [$(Schema)].ub_submission_event (submission_id, run_id, at, event, detail)
        SELECT id, @RunId, @Now, 'adopted', CONCAT(N'recovered from run ', previous_owner, N' in state ', status) FROM @adopted;

        SELECT $(SubmissionColumns), a.previous_owner AS PreviousOwner FROM [$(Schema)].ub_submission AS s JOIN @adopted AS a ON a.id = s.id ORDER BY s.id;
        """;

    // The send is allowed only while this run owns the submission and its lease outlasts the whole request:
    // nobody can recover (and re-send) it before the request has finished one way or the other.
    internal const string MarkSentSql = """
        DECLARE @changed TABLE (id bigint NOT NULL);
        UPDATE [$(Schema)].ub_submission WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET status = 'sent', attempts = attempts + 1, first_sent_at = COALESCE(first_sent_at, @Now),
            last_attempt_at = @Now, updated_at = @Now
        OUTPUT inserted.id INTO @changed (id)
        WHERE id = @Id AND owner_run_id = @RunId AND status IN ('prepared', 'sent')
          AND EXISTS (SELECT 1 FROM [$(Schema)].ub_run WITH (READCOMMITTEDLOCK)
                      WHERE id = @RunId AND status = 'running' AND lease_until > DATEADD(millisecond, @MustOutlastMs, SYSUTCDATETIME()));
        SELECT COUNT(*) FROM @changed;
        """;

    internal const string MoveUsageDateSql = """
        UPDATE [$(Schema)].ub_submission SET usage_date = @UsageDate, updated_at = @Now WHERE id = @Id AND owner_run_id = @RunId;
        """;

    internal const string OwnedUsageIdsSql = """
        SELECT provider_usage_id FROM [$(Schema)].ub_submission
        WHERE provider_account = @Account AND customer_field = @CustomerField AND customer_id = @CustomerId
          AND item_field = @ItemField AND item_id = @ItemId AND provider_usage_id IS NOT NULL;
        """;

    internal const string RecordOutcomeSql = """
        DECLARE @changed TABLE (id bigint NOT NULL);
        UPDATE [$(Schema)].ub_submission WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET status = @Status, status_reason = @Reason,
            provider_usage_id = COALESCE(@ProviderUsageId, provider_usage_id),
            provider_receipt_id = COALESCE(@ProviderReceiptId, provider_receipt_id),
            echoed_total = COALESCE(@EchoedTotal, echoed_total), http_status = @HttpStatus, provider_code = @ProviderCode,
            updated_at = @Now
        OUTPUT inserted.id INTO @changed (id)
        WHERE id = @Id AND owner_run_id = @RunId AND settled_at IS NULL;
        SELECT COUNT(*) FROM @changed;
        """;

    // Write-back, set-based: one UPDATE per batch of the submission's rows still 'claimed', or set back to 'pending'
    // by hand while it was in flight (the claim never takes those; they take its outcome) (so repeating a settle
    // after a crash changes nothing twice), at most @BatchSize rows (the job's batchSize, capped by SqlServerLocking) per
    // short transaction: under the 5,000-lock escalation threshold. No READPAST here: these rows are this submission's
    // alone, and every one of them must move.
    // Paged by key: each batch seeks ix_*_submission (billing_submission_id, then the clustered id) from the last id the
    // previous batch moved, so the rows earlier batches already moved are never read again (billing_status is not in
    // that index: without the page, settling a 100,000-row Whop group read 5 million index rows). TOP with ORDER BY
    // needs the updatable CTE; the predicates are the same.
    internal const string SettleBatchSql = """
        DECLARE @settled TABLE (id bigint NOT NULL PRIMARY KEY, source_key nvarchar(200) NULL);
        WITH batch AS (
            SELECT TOP (@BatchSize) id, source_key, billing_status, provider_usage_id, provider_receipt_id, billed_at, billing_error,
                   billing_run_id, billing_attempts
            FROM [$(Schema)].$(UsageTable) WITH (ROWLOCK, READCOMMITTEDLOCK)
            WHERE billing_submission_id = @SubmissionId AND id > @AfterId
              AND (billing_status = 'claimed' OR (billing_status = 'pending' AND @RowStatus <> 'pending'))
            ORDER BY id)
        UPDATE batch
        SET billing_status = @RowStatus, provider_usage_id = @UsageId, provider_receipt_id = @ReceiptId,
            billed_at = @BilledAt, billing_error = LEFT(@Error, 4000), billing_run_id = @RunId,
            billing_attempts = billing_attempts + @AttemptIncrement
        OUTPUT inserted.id, inserted.source_key INTO @settled (id, source_key);
        IF @ExceptionKind IS NOT NULL
            INSERT INTO [$(Schema)].ub_row_exception (run_id, usage_table, row_id, source_key, submission_id, kind, reason, at)
            SELECT @RunId, @Table, id, source_key, @SubmissionId, @ExceptionKind, @ExceptionReason, @Now FROM @settled;
        SELECT COUNT(*) AS Count, MAX(id) AS LastId FROM @settled;
        """;

    internal const string MarkSettledSql = """
        UPDATE [$(Schema)].ub_submission SET settled_at = @Now, updated_at = @Now WHERE id = @Id AND settled_at IS NULL;
        """;

    // Candidates first, by two seeks on ix_ub_submission_unreported (never reported; reported by a run with no written
    // report): the ledger's history is never scanned. Then the UPDATE takes those rows (row locks, every predicate
    // checked again once locked), so two runs of one account finishing together carry each submission once; the events
    // are written from what it changed. TOP (@BatchSize): a run's worth of ledger rows in batches, under escalation.
    internal const string CarryUnreportedSql = """
        DECLARE @candidates TABLE (id bigint NOT NULL PRIMARY KEY);
        INSERT INTO @candidates (id)
        SELECT TOP (@BatchSize) c.id
        FROM (SELECT s.id, s.owner_run_id, s.status FROM [$(Schema)].ub_submission AS s
              WHERE s.provider_account = @Account AND s.settled_at IS NOT NULL AND s.reported_run_id IS NULL
              UNION ALL
              SELECT s.id, s.owner_run_id, s.status FROM [$(Schema)].ub_run AS r
              JOIN [$(Schema)].ub_submission AS s ON s.provider_account = @Account AND s.reported_run_id = r.id AND s.settled_at IS NOT NULL
              WHERE r.report_written_at IS NULL AND r.status <> 'running' AND r.id <> @RunId) AS c
        WHERE c.status IN ('confirmed', 'zero', 'rejected', 'held', 'released', 'void')
          AND (c.owner_run_id = @RunId
               OR NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_run AS o WHERE o.id = c.owner_run_id AND o.status = 'running'))
        ORDER BY c.id;
        DECLARE @carried TABLE (id bigint NOT NULL PRIMARY KEY, owner bigint NOT NULL);
        UPDATE s
        SET reported_run_id = @RunId
        OUTPUT inserted.id, inserted.owner_run_id INTO @carried (id, owner)
        FROM @candidates AS k
        JOIN [$(Schema)].ub_submission AS s WITH (ROWLOCK, READCOMMITTEDLOCK) ON s.id = k.id
        WHERE s.provider_account = @Account AND s.settled_at IS NOT NULL
          AND s.status IN ('confirmed', 'zero', 'rejected', 'held', 'released', 'void')
          AND (s.reported_run_id IS NULL
               OR EXISTS (SELECT 1 FROM [$(Schema)].ub_run AS r WITH (READCOMMITTEDLOCK)
                          WHERE r.id = s.reported_run_id AND r.report_written_at IS NULL AND r.status <> 'running' AND r.id <> @RunId))
          AND (s.owner_run_id = @RunId
               OR EXISTS (SELECT 1 FROM [$(Schema)].ub_run AS o WITH (READCOMMITTEDLOCK) WHERE o.id = s.owner_run_id AND o.status <> 'running'));
        INSERT INTO [$(Schema)].ub_submission_event (submission_id, run_id, at, event, detail)
        SELECT id, @RunId, @Now, 'carried', CONCAT(N'carried into this report: run ', owner, N' finished it and wrote no report of it')
        FROM @carried WHERE owner <> @RunId ORDER BY id;
        INSERT INTO [$(Schema)].ub_submission_event (submission_id, run_id, at, event, detail, provider_usage_id, provider_receipt_id,
                                                     echoed_total, http_status, provider_code)
        SELECT s.id, @RunId, @Now, CASE s.status WHEN 'void' THEN 'voided' ELSE s.status END,
               CONCAT(N'finished by run ', c.owner, N', which wrote no report of it', CASE WHEN s.status_reason IS NULL THEN N'' ELSE CONCAT(N'; ', s.status_reason) END),
               s.provider_usage_id,
               s.provider_receipt_id, s.echoed_total, s.http_status, s.provider_code
        FROM @carried AS c JOIN [$(Schema)].ub_submission AS s ON s.id = c.id WHERE c.owner <> @RunId ORDER BY s.id;
        SELECT COUNT(*), COALESCE(SUM(CASE WHEN owner <> @RunId THEN 1 ELSE 0 END), 0) FROM @carried;
        """;

    internal const string MarkReportWrittenSql = """
        UPDATE [$(Schema)].ub_run SET report_written_at = @Now WHERE id = @RunId;
        """;

    internal const string MarkReportFailedSql = """
        UPDATE [$(Schema)].ub_run
        SET status = CASE status WHEN 'succeeded' THEN 'attention' ELSE status END,
            exit_code = CASE exit_code WHEN 0 THEN 1 ELSE exit_code END, message = @Message
        WHERE id = @RunId;
        """;

    internal const string GetSubmissionSql = "SELECT $(SubmissionColumns) FROM [$(Schema)].ub_submission AS s WHERE s.id = @Id;";

    // Two seeks (ix_ub_submission_run; ix_ub_submission_event_run then the key), never OR + IN, which scans the ledger.
    internal const string SubmissionsOfRunSql = """
        SELECT $(SubmissionColumns) FROM [$(Schema)].ub_submission AS s WHERE s.created_run_id = @RunId
        UNION ALL
        SELECT $(SubmissionColumns) FROM [$(Schema)].ub_submission AS s
        WHERE s.id IN (SELECT submission_id FROM [$(Schema)].ub_submission_event WHERE run_id = @RunId) AND s.created_run_id <> @RunId
        ORDER BY id;
        """;

    internal const string InsertEventSql = """
        INSERT INTO [$(Schema)].ub_submission_event (submission_id, run_id, at, event, detail, provider_usage_id, provider_receipt_id,
                                                     echoed_total, http_status, provider_code)
        VALUES (@SubmissionId, @RunId, @At, @Event, @Detail, @UsageId, @ReceiptId, @EchoedTotal, @HttpStatus, @ProviderCode);
        """;

    // Validate
    // READPAST: a row another run is claiming right now is not pending for us; skip it instead of waiting.
    // READCOMMITTEDLOCK with it: under READ_COMMITTED_SNAPSHOT a plain read is versioned, and READPAST is refused.
    internal const string PendingWhopSql = """
        SELECT id, source_key, company_id, membership_id, billing_item_id, billing_item_identifier, amount, quantity,
               NULL, NULL, occurred_at
        FROM [$(Schema)].whop_usage WITH (READPAST, READCOMMITTEDLOCK)
        WHERE billing_status = 'pending';
        """;

    internal const string PendingChargebeeSql = """
        SELECT id, source_key, NULL, NULL, NULL, NULL, NULL, quantity, subscription_id, item_price_id, occurred_at
        FROM [$(Schema)].chargebee_usage WITH (READPAST, READCOMMITTEDLOCK)
        WHERE billing_status = 'pending';
        """;

    internal const string CreateRejectTempSql = """
        CREATE TABLE #ub_reject (row_id bigint NOT NULL PRIMARY KEY, source_key nvarchar(200) NULL, reason nvarchar(4000) NOT NULL);
        """;

    // One set-based UPDATE joined to the bulk-copied batch. Only a row still pending is rejected: a concurrent run
    // may have moved it on since it was read. The exceptions are written from what actually changed.
    internal const string RejectFromTempSql = """
        DECLARE @changed TABLE (row_id bigint NOT NULL PRIMARY KEY, source_key nvarchar(200) NULL, reason nvarchar(4000) NOT NULL);
        UPDATE u
        SET billing_status = 'rejected', billing_error = r.reason, billing_run_id = @RunId
        OUTPUT inserted.id, inserted.source_key, inserted.billing_error INTO @changed (row_id, source_key, reason)
        FROM [$(Schema)].$(UsageTable) AS u WITH (ROWLOCK, READCOMMITTEDLOCK)
        JOIN #ub_reject AS r ON r.row_id = u.id
        WHERE u.billing_status = 'pending';
        INSERT INTO [$(Schema)].ub_row_exception (run_id, usage_table, row_id, source_key, submission_id, kind, reason, at)
        SELECT @RunId, @Table, row_id, source_key, NULL, 'rejected', reason, @Now FROM @changed;
        DROP TABLE #ub_reject;
        SELECT COUNT(*) FROM @changed;
        """;

    // A row set back to pending whose earlier submission is settled and not unbilled (confirmed, zero or held) must
    // not be billed again until `requeue` has checked the provider. (A row set back while its submission is still in
    // flight is left to that submission: the claim never takes it, and the settle moves it with the others.)
    // Two steps, so no pending row is locked beyond the ones held: the candidates are read first (READPAST, no
    // UPDLOCK: shared locks released row by row), then updated by key with every predicate checked again.
    // TOP (@BatchSize): see ClaimBatchSql on escalation.
    internal const string HoldRequeuedSql = """
        DECLARE @candidates TABLE (id bigint NOT NULL PRIMARY KEY);
        INSERT INTO @candidates (id)
        SELECT TOP (@BatchSize) u.id
        FROM [$(Schema)].$(UsageTable) AS u WITH (READPAST, READCOMMITTEDLOCK)
        JOIN [$(Schema)].ub_submission AS s ON s.id = u.billing_submission_id
        WHERE u.billing_status = 'pending' AND s.status NOT IN ('void', 'released', 'rejected') AND s.settled_at IS NOT NULL
        ORDER BY u.id;
        DECLARE @held TABLE (id bigint NOT NULL PRIMARY KEY, source_key nvarchar(200) NULL, submission_id bigint NOT NULL, reason nvarchar(4000) NOT NULL);
        UPDATE u
        SET billing_status = 'held', billing_run_id = @RunId,
            billing_error = LEFT(CONCAT(N're-queued, but its submission ', u.billing_submission_id, N' is already ', s.status,
                                        CASE WHEN u.provider_usage_id IS NOT NULL THEN CONCAT(N' (provider usage ', u.provider_usage_id, N')') ELSE N'' END,
                                        N'; run `usagebatch requeue --table $(UsageTable) --row ', u.id, N'` to check the provider'), 4000)
        OUTPUT inserted.id, inserted.source_key, inserted.billing_submission_id, inserted.billing_error INTO @held (id, source_key, submission_id, reason)
        FROM @candidates AS c
        JOIN [$(Schema)].$(UsageTable) AS u WITH (ROWLOCK, READCOMMITTEDLOCK) ON u.id = c.id
        JOIN [$(Schema)].ub_submission AS s ON s.id = u.billing_submission_id
        WHERE u.billing_status = 'pending' AND s.status NOT IN ('void', 'released', 'rejected') AND s.settled_at IS NOT NULL;
        INSERT INTO [$(Schema)].ub_row_exception (run_id, usage_table, row_id, source_key, submission_id, kind, reason, at)
        SELECT @RunId, @Table, id, source_key, submission_id, 'held', reason, @Now FROM @held;
        SELECT COUNT(*) FROM @held;
        """;

    internal const string InsertRowExceptionSql = """
        INSERT INTO [$(Schema)].ub_row_exception (run_id, usage_table, row_id, source_key, submission_id, kind, reason, at)
        VALUES (@RunId, @Table, @RowId, @SourceKey, @SubmissionId, @Kind, @Reason, @At);
        """;

    // Claim and prepare
    // The GROUP BY the run plans from; the claim re-reads the truth. A total past what the ledger holds exactly
    // (18 integer digits) comes back NULL: read as decimal(38,10) it would not even convert to .NET's decimal
    // (OverflowException, every run) and the claim's own sum rejects that group alone. 'pending' is a literal so the filtered index
    // matches; READPAST skips rows being claimed by another run right now (they are not ours to plan), and needs
    // READCOMMITTEDLOCK beside it: under READ_COMMITTED_SNAPSHOT (Azure SQL's default) a plain READPAST read is
    // a versioned read, where SQL Server refuses or ignores READPAST.
    internal const string WhopGroupsSql = $"""
        SELECT k.customer_field AS CustomerField, k.customer_id AS CustomerId, k.item_field AS ItemField, k.item_id AS ItemId,
               k.value_field AS ValueField, COUNT_BIG(*) AS [RowCount],
               CASE WHEN ABS(SUM(COALESCE(u.amount, u.quantity))) < 1000000000000000000 THEN SUM(COALESCE(u.amount, u.quantity)) END AS Total,
               MAX(u.occurred_at) AS LastOccurredAt
        FROM [$(Schema)].whop_usage AS u WITH (READPAST, READCOMMITTEDLOCK)
        CROSS APPLY (VALUES (
            CASE WHEN u.membership_id IS NOT NULL THEN 'membership_id' ELSE 'company_id' END,
            CAST(COALESCE(u.membership_id, u.company_id, '') AS nvarchar(200)),
            CASE WHEN u.billing_item_id IS NOT NULL THEN 'billing_item_id' ELSE 'billing_item_identifier' END,
            COALESCE(CAST(u.billing_item_id AS nvarchar(200)), u.billing_item_identifier, N''),
            CASE WHEN u.amount IS NOT NULL THEN 'amount' ELSE 'quantity' END
        )) AS k (customer_field, customer_id, item_field, item_id, value_field)
        WHERE u.billing_status = 'pending' AND u.occurred_at < @Cutoff AND {ClaimableU}
        GROUP BY k.customer_field, k.customer_id, k.item_field, k.item_id, k.value_field
        ORDER BY k.customer_field, k.customer_id, k.item_field, k.item_id, k.value_field;
        """;

    // Buckets are computed in UTC on the server: hour, month, else day (the job's setting, as a parameter).
    internal const string ChargebeeGroupsSql = $"""
        SELECT u.subscription_id AS SubscriptionId, u.item_price_id AS ItemPriceId, b.bucket_start AS BucketStart,
               COUNT_BIG(*) AS [RowCount], CASE WHEN ABS(SUM(u.quantity)) < 1000000000000000000 THEN SUM(u.quantity) END AS Total,
               MAX(u.occurred_at) AS LastOccurredAt
        FROM [$(Schema)].chargebee_usage AS u WITH (READPAST, READCOMMITTEDLOCK)
        CROSS APPLY (VALUES (CASE @Bucket
            WHEN 'hour' THEN DATEADD(hour, DATEDIFF(hour, CAST('2000-01-01' AS datetime2(3)), u.occurred_at), CAST('2000-01-01' AS datetime2(3)))
            WHEN 'month' THEN CAST(DATEFROMPARTS(YEAR(u.occurred_at), MONTH(u.occurred_at), 1) AS datetime2(3))
            ELSE CAST(CAST(u.occurred_at AS date) AS datetime2(3)) END)) AS b (bucket_start)
        WHERE u.billing_status = 'pending' AND u.occurred_at < @Cutoff AND {ClaimableU}
          AND u.subscription_id IS NOT NULL AND u.item_price_id IS NOT NULL
        GROUP BY u.subscription_id, u.item_price_id, b.bucket_start
        ORDER BY u.subscription_id, u.item_price_id, b.bucket_start;
        """;

    // Only while the run is still 'running': a run declared dead (its lease lapsed, its work adopted) creates nothing
    // more. OUTPUT … INTO, never a plain OUTPUT: refused (Msg 334) once a DBA puts a trigger on the ledger.
    internal const string InsertPreparingSql = """
        DECLARE @inserted TABLE (id bigint NOT NULL);
        INSERT INTO [$(Schema)].ub_submission (created_run_id, owner_run_id, job, provider_account, usage_table, customer_field,
                                               customer_id, item_field, item_id, value_field, bucket_start, bucket_end, status,
                                               created_at, updated_at)
        OUTPUT inserted.id INTO @inserted (id)
        SELECT @RunId, @RunId, @Job, @Account, @Table, @CustomerField, @CustomerId, @ItemField, @ItemId, @ValueField,
               @BucketStart, @BucketEnd, 'preparing', @Now, @Now
        WHERE EXISTS (SELECT 1 FROM [$(Schema)].ub_run WITH (READCOMMITTEDLOCK) WHERE id = @RunId AND status = 'running');
        SELECT id FROM @inserted;
        """;

    // The claim, as Hangfire.SqlServer claims jobs: one statement that takes at most @BatchSize rows still
    // 'pending' and marks them in the same breath.
    //   ROWLOCK            row locks only, never page locks that would block a neighbour's rows;
    //   READPAST           skip rows another run has locked (it is claiming them) instead of queueing behind it;
    //   UPDLOCK            the rows read are the rows updated, with no shared-to-exclusive conversion deadlock;
    //   READCOMMITTEDLOCK  locking read committed even when the database has READ_COMMITTED_SNAPSHOT on: a
    //                      versioned read could see a row as still pending after another run claimed it;
    //   INDEX(…_pending)   the filtered index of pending rows, whose leading keys are the group's: the claim reads
    //                      pending rows of this group only, never a scan of the table. (Not FORCESEEK: a plan the
    //                      optimizer cannot build under it fails the statement, Msg 8622.)
    // @BatchSize is SqlServerLocking.RowsPerStatement(batchSize): under the escalation threshold on every index.
    // OUTPUT … INTO a table variable, then SELECT: a plain OUTPUT clause is refused (Msg 334) once a DBA puts a
    // trigger on the usage table.
    // Whop matching is null-safe: EXISTS (SELECT a INTERSECT SELECT b) is SQLite's "a IS b" (NULL equals NULL) in a
    // form the optimizer turns into an index seek on the filtered index (IS NOT DISTINCT FROM needs SQL Server 2022).
    internal const string ClaimWhopBatchSql = $"""
        DECLARE @claimed TABLE (id bigint NOT NULL PRIMARY KEY, source_key nvarchar(200) NOT NULL, company_id varchar(100) NULL,
                                membership_id varchar(100) NULL, billing_item_id varchar(100) NULL, billing_item_identifier nvarchar(200) NULL,
                                amount decimal(28, 10) NULL, quantity decimal(28, 10) NULL, occurred_at datetime2(3) NULL);
        UPDATE TOP (@BatchSize) u
        SET billing_status = 'claimed', billing_run_id = @RunId, billing_submission_id = @SubmissionId
        OUTPUT inserted.id, inserted.source_key, inserted.company_id, inserted.membership_id, inserted.billing_item_id,
               inserted.billing_item_identifier, inserted.amount, inserted.quantity, inserted.occurred_at
        INTO @claimed (id, source_key, company_id, membership_id, billing_item_id, billing_item_identifier, amount, quantity, occurred_at)
        FROM [$(Schema)].whop_usage AS u WITH (ROWLOCK, READPAST, UPDLOCK, READCOMMITTEDLOCK, INDEX(ix_whop_usage_pending))
        WHERE u.billing_status = 'pending' AND u.occurred_at < @Cutoff AND {ClaimableU}
          AND EXISTS (SELECT u.membership_id INTERSECT SELECT @MembershipId)
          AND EXISTS (SELECT u.company_id INTERSECT SELECT @CompanyId)
          AND EXISTS (SELECT u.billing_item_id INTERSECT SELECT @BillingItemId)
          AND EXISTS (SELECT u.billing_item_identifier INTERSECT SELECT @BillingItemIdentifier)
          AND CASE WHEN u.amount IS NOT NULL THEN 1 ELSE 0 END = @IsAmount;
        SELECT id, source_key, company_id, membership_id, billing_item_id, billing_item_identifier, amount, quantity, NULL, NULL, occurred_at
        FROM @claimed ORDER BY id;
        """;

    internal const string ClaimChargebeeBatchSql = $"""
        DECLARE @claimed TABLE (id bigint NOT NULL PRIMARY KEY, source_key nvarchar(200) NOT NULL, quantity decimal(28, 10) NULL,
                                subscription_id varchar(100) NULL, item_price_id varchar(100) NULL, occurred_at datetime2(3) NULL);
        UPDATE TOP (@BatchSize) u
        SET billing_status = 'claimed', billing_run_id = @RunId, billing_submission_id = @SubmissionId
        OUTPUT inserted.id, inserted.source_key, inserted.quantity, inserted.subscription_id, inserted.item_price_id, inserted.occurred_at
        INTO @claimed (id, source_key, quantity, subscription_id, item_price_id, occurred_at)
        FROM [$(Schema)].chargebee_usage AS u WITH (ROWLOCK, READPAST, UPDLOCK, READCOMMITTEDLOCK, INDEX(ix_chargebee_usage_pending))
        WHERE u.billing_status = 'pending' AND u.occurred_at < @Cutoff AND {ClaimableU}
          AND u.subscription_id = @SubscriptionId AND u.item_price_id = @ItemPriceId
          AND u.occurred_at >= @BucketStart AND u.occurred_at < @BucketEnd;
        SELECT id, source_key, NULL, NULL, NULL, NULL, NULL, quantity, subscription_id, item_price_id, occurred_at
        FROM @claimed ORDER BY id;
        """;

    internal const string RejectClaimedRowSql = """
        UPDATE [$(Schema)].$(UsageTable) SET billing_status = 'rejected', billing_error = @Reason WHERE id = @Id;
        """;

    // Rows changed are counted through OUTPUT … INTO: @@ROWCOUNT and the client's count include a DBA trigger's rows.
    internal const string UpdatePreparingSql = $"""
        DECLARE @changed TABLE (id bigint NOT NULL);
        UPDATE [$(Schema)].ub_submission WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET row_count = @Count, total = @Total, updated_at = @Now
        OUTPUT inserted.id INTO @changed (id)
        WHERE id = @Id AND {StillPreparing};
        SELECT COUNT(*) FROM @changed;
        """;

    internal const string DeleteSubmissionSql = $"""
        DECLARE @changed TABLE (id bigint NOT NULL);
        DELETE FROM [$(Schema)].ub_submission WITH (ROWLOCK, READCOMMITTEDLOCK)
        OUTPUT deleted.id INTO @changed (id)
        WHERE id = @Id AND {StillPreparing};
        SELECT COUNT(*) FROM @changed;
        """;

    internal const string DecideSubmissionSql = $"""
        DECLARE @changed TABLE (id bigint NOT NULL);
        UPDATE [$(Schema)].ub_submission WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET status = @Status, status_reason = @Reason, row_count = @Count, total = @Total,
            first_occurred_at = @First, last_occurred_at = @Last, row_ids = @RowIds, usage_date = @UsageDate,
            usage_id = @UsageId, updated_at = @Now
        OUTPUT inserted.id INTO @changed (id)
        WHERE id = @Id AND {StillPreparing};
        SELECT COUNT(*) FROM @changed;
        """;

    internal const string CapCountSql = """
        SELECT COUNT(*) FROM [$(Schema)].ub_submission
        WHERE provider_account = @Account AND customer_field = 'subscription_id' AND customer_id = @SubscriptionId
          AND id <> @Id
          AND (status IN ('prepared', 'sent', 'confirmed') OR (status = 'held' AND first_sent_at IS NOT NULL));
        """;

    // Dates that may exist at the provider for this (subscription, item price): anything but never-sent or refused.
    internal const string UsedUsageDatesSql = """
        SELECT usage_date FROM [$(Schema)].ub_submission
        WHERE provider_account = @Account AND customer_id = @SubscriptionId AND item_id = @ItemPriceId
          AND usage_date >= @Start AND usage_date < @End AND id <> @Id
          AND status NOT IN ('preparing', 'void', 'rejected', 'released');
        """;

    // Requeue
    internal const string FindHeldRowSql = """
        SELECT id, source_key, billing_submission_id, billing_error FROM [$(Schema)].$(UsageTable) WHERE id = @Id AND billing_status = 'held';
        """;

    // The rows HoldRequeuedSql would hold, read only (a dry run): no locks kept, nothing written.
    internal const string FindRequeuedBilledSql = """
        SELECT u.id, u.source_key, u.billing_submission_id, s.status, u.provider_usage_id
        FROM [$(Schema)].$(UsageTable) AS u
        JOIN [$(Schema)].ub_submission AS s ON s.id = u.billing_submission_id
        WHERE u.billing_status = 'pending' AND s.status NOT IN ('void', 'released', 'rejected') AND s.settled_at IS NOT NULL
        ORDER BY u.id;
        """;

    // A held submission's rows can be many: they go back to 'claimed' TOP (@BatchSize) at a time, each batch its own
    // short transaction, under the 5,000 locks at which SQL Server escalates to a table lock.
    // Paged by key, as SettleBatchSql.
    internal const string ReopenRowsBatchSql = """
        DECLARE @changed TABLE (id bigint NOT NULL);
        WITH batch AS (
            SELECT TOP (@BatchSize) id, billing_status, billing_error
            FROM [$(Schema)].$(UsageTable) WITH (ROWLOCK, READCOMMITTEDLOCK)
            WHERE billing_submission_id = @Id AND id > @AfterId AND billing_status = 'held'
            ORDER BY id)
        UPDATE batch SET billing_status = 'claimed', billing_error = NULL
        OUTPUT inserted.id INTO @changed (id);
        SELECT COUNT(*) AS Count, MAX(id) AS LastId FROM @changed;
        """;

    // Only a submission still held is reopened, and only in the transaction of the last row batch: until then it
    // stays held and settled, so a crash halfway leaves nothing a run could adopt and send with rows still held;
    // running requeue again finishes the rows.
    internal const string ReopenSubmissionSql = """
        UPDATE [$(Schema)].ub_submission WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET status = @Status, status_reason = @Reason, owner_run_id = @RunId, settled_at = NULL, reported_run_id = NULL, updated_at = @Now,
            provider_usage_id = COALESCE(@UsageId, provider_usage_id), provider_receipt_id = COALESCE(@ReceiptId, provider_receipt_id),
            echoed_total = COALESCE(@Echoed, echoed_total)
        WHERE id = @Id AND status = 'held';
        """;

    internal const string RestoreBilledRowSql = """
        UPDATE [$(Schema)].$(UsageTable) WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET billing_status = 'billed', billing_error = NULL, billing_run_id = @RunId, provider_usage_id = @UsageId,
            provider_receipt_id = COALESCE(@ReceiptId, provider_receipt_id), billed_at = COALESCE(billed_at, @Now)
        WHERE id = @Id AND billing_status = 'held';
        """;

    internal const string SourceKeyOfRowSql = "SELECT source_key FROM [$(Schema)].$(UsageTable) WHERE id = @Id;";

    // Unlinked from the old submission, so the next run does not hold it again.
    internal const string ReleaseRowSql = """
        UPDATE [$(Schema)].$(UsageTable) WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET billing_status = 'pending', billing_error = NULL, billing_run_id = @RunId, billing_submission_id = NULL,
            provider_usage_id = NULL, provider_receipt_id = NULL, billed_at = NULL
        WHERE id = @Id AND billing_status = 'held';
        """;

    // Reports and reconcile
    internal const string GetRunSql = """
        SELECT id, job, provider_account, usage_table, status, dry_run, scheduled_at, cutoff, started_at, finished_at,
               host, exit_code, message, summary_json
        FROM [$(Schema)].ub_run WHERE id = @RunId;
        """;

    internal const string LastFinishedRunSql = """
        SELECT MAX(id) FROM [$(Schema)].ub_run WHERE status <> 'running' AND (@Job IS NULL OR job = @Job);
        """;

    internal const string RowIdsOfRunSql = """
        SELECT id, row_ids FROM [$(Schema)].ub_submission WHERE created_run_id = @RunId
        UNION ALL
        SELECT id, row_ids FROM [$(Schema)].ub_submission
        WHERE id IN (SELECT submission_id FROM [$(Schema)].ub_submission_event WHERE run_id = @RunId) AND created_run_id <> @RunId;
        """;

    internal const string EventsOfRunSql = """
        SELECT submission_id, at, event, detail, provider_usage_id, provider_receipt_id, echoed_total, http_status, provider_code
        FROM [$(Schema)].ub_submission_event WHERE run_id = @RunId ORDER BY id;
        """;

    internal const string RowExceptionsOfRunSql = """
        SELECT row_id, usage_table, source_key, submission_id, kind, reason, at
        FROM [$(Schema)].ub_row_exception WHERE run_id = @RunId ORDER BY id;
        """;

    // Counted from events, not from the submissions' current status, so a later run cannot change this run's report.
    // @Ids is expanded by Dapper into one parameter per id (a chunk of IdChunk, far under SQL Server's 2,100).
    internal const string ConfirmedCountsSql = """
        SELECT s.customer_id, COUNT(DISTINCT s.id)
        FROM [$(Schema)].ub_submission AS s JOIN [$(Schema)].ub_submission_event AS e ON e.submission_id = s.id
        WHERE s.provider_account = @Account AND s.customer_field = 'subscription_id' AND s.customer_id IN @Ids
          AND e.event = 'confirmed' AND e.run_id <= @RunId
        GROUP BY s.customer_id;
        """;

    // Two statements rather than a spliced column name: Chargebee's provider-side date is usage_date, Whop's the
    // time of the attempt the provider accepted.
    internal const string ConfirmedByUsageDateSql = """
        SELECT $(SubmissionColumns) FROM [$(Schema)].ub_submission AS s
        WHERE s.provider_account = @Account AND s.status = 'confirmed' AND s.usage_date >= @From AND s.usage_date < @To
        ORDER BY s.id;
        """;

    internal const string ConfirmedBySentAtSql = """
        SELECT $(SubmissionColumns) FROM [$(Schema)].ub_submission AS s
        WHERE s.provider_account = @Account AND s.status = 'confirmed' AND s.last_attempt_at >= @From AND s.last_attempt_at < @To
        ORDER BY s.id;
        """;

    // Two seeks (ix_ub_submission_provider_usage, ix_ub_submission_usage_id; the ids travel as varchar, the columns'
    // type, so no CONVERT_IMPLICIT turns them into scans), then the ledger rows by key. UNION: a Chargebee usage's
    // provider id is our usage id, so one submission is found by both.
    // The job's last @Runs billing runs: a seek on ix_ub_run_job, each checked through ix_ub_submission_run.
    internal const string SilentCustomersSql = """
        WITH prior AS (
            SELECT TOP (@Runs) r.id FROM [$(Schema)].ub_run AS r
            WHERE r.job = @Job AND r.id < @RunId AND r.dry_run = 0
              AND EXISTS (SELECT 1 FROM [$(Schema)].ub_submission AS x WHERE x.created_run_id = r.id AND x.status IN ('confirmed', 'zero'))
            ORDER BY r.id DESC)
        SELECT s.customer_field, s.customer_id
        FROM [$(Schema)].ub_submission AS s
        WHERE s.created_run_id IN (SELECT id FROM prior) AND s.status IN ('confirmed', 'zero')
          AND (SELECT COUNT(*) FROM prior) = @Runs
          AND NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_submission AS t
                          WHERE t.created_run_id = @RunId AND t.customer_field = s.customer_field AND t.customer_id = s.customer_id)
        GROUP BY s.customer_field, s.customer_id
        HAVING COUNT(DISTINCT s.created_run_id) = @Runs
        ORDER BY s.customer_id, s.customer_field;
        """;

    internal const string SubmissionsByUsageIdsSql = """
        SELECT $(SubmissionColumns) FROM [$(Schema)].ub_submission AS s
        WHERE s.provider_account = @Account
          AND s.id IN (SELECT p.id FROM [$(Schema)].ub_submission AS p WHERE p.provider_usage_id IN @Ids
                       UNION
                       SELECT u.id FROM [$(Schema)].ub_submission AS u WHERE u.usage_id IN @Ids);
        """;

    internal const string RecordReceiptSql = """
        UPDATE [$(Schema)].ub_submission WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET provider_receipt_id = @ReceiptId, updated_at = @Now WHERE id = @Id;
        """;

    // TOP (@BatchSize): at most MaxRowsPerStatement rows per statement (each its own short transaction), under the
    // 5,000 locks at which SQL Server escalates to a table lock. Rows already carrying the receipt are skipped, so
    // each batch makes progress and a re-run of reconcile finishes whatever a crash left.
    // Paged by key, as SettleBatchSql.
    internal const string RecordReceiptRowsSql = """
        DECLARE @changed TABLE (id bigint NOT NULL);
        WITH batch AS (
            SELECT TOP (@BatchSize) id, provider_receipt_id
            FROM [$(Schema)].$(UsageTable) WITH (ROWLOCK, READCOMMITTEDLOCK)
            WHERE billing_submission_id = @Id AND id > @AfterId AND billing_status = 'billed'
              AND (provider_receipt_id IS NULL OR provider_receipt_id <> @ReceiptId)
            ORDER BY id)
        UPDATE batch SET provider_receipt_id = @ReceiptId
        OUTPUT inserted.id INTO @changed (id);
        SELECT COUNT(*) AS Count, MAX(id) AS LastId FROM @changed;
        """;

    // Status
    internal const string CountRowsSql = """
        SELECT COUNT_BIG(CASE WHEN billing_status = 'pending' AND occurred_at < @Cutoff THEN 1 END) AS Pending,
               COUNT_BIG(CASE WHEN billing_status = 'pending' AND occurred_at >= @Cutoff THEN 1 END) AS Future,
               COUNT_BIG(CASE WHEN billing_status = 'claimed' THEN 1 END) AS Claimed,
               COUNT_BIG(CASE WHEN billing_status = 'billed' THEN 1 END) AS Billed,
               COUNT_BIG(CASE WHEN billing_status = 'rejected' THEN 1 END) AS Rejected,
               COUNT_BIG(CASE WHEN billing_status = 'held' THEN 1 END) AS Held
        FROM [$(Schema)].$(UsageTable);
        """;

    internal const string RecentRunsSql = """
        SELECT TOP (@Count) id AS RunId, status AS Status, started_at AS StartedAt, finished_at AS FinishedAt,
               exit_code AS ExitCode, message AS Message
        FROM [$(Schema)].ub_run WHERE job = @Job ORDER BY id DESC;
        """;

    // Operator console
    internal const string ConsoleSchemaVersionSql = """
        SELECT CASE WHEN OBJECT_ID(N'[$(Schema)].ub_schema_version', N'U') IS NULL THEN 0
                    ELSE (SELECT COALESCE(MAX(version), 0) FROM [$(Schema)].ub_schema_version) END;
        """;

    internal const string ConsoleLastRunSql = """
        SELECT TOP (1) id, job, status, started_at, finished_at, exit_code, message, summary_json
        FROM [$(Schema)].ub_run
        WHERE job = @Job AND (@Completed = 0 OR status IN ('succeeded', 'attention'))
        ORDER BY id DESC;
        """;

    // A seek on ix_*_usage_occurred (010), whatever the table's size.
    internal const string NewestOccurredSql = "SELECT MAX(occurred_at) FROM [$(Schema)].$(UsageTable);";

    internal const string ConsoleOldestPendingSql = """
        SELECT MIN(occurred_at) FROM [$(Schema)].$(UsageTable) WHERE billing_status = 'pending';
        """;

    internal const string ConsoleRunsSql = """
        SELECT id, job, status, started_at, finished_at, exit_code, message, summary_json
        FROM [$(Schema)].ub_run
        WHERE (@Job IS NULL OR job = @Job) AND (@Status IS NULL OR status = @Status)
        ORDER BY id DESC
        OFFSET @Skip ROWS FETCH NEXT @Take ROWS ONLY;
        """;

    internal const string ConsoleRunCountSql = """
        SELECT COUNT_BIG(*) FROM [$(Schema)].ub_run
        WHERE (@Job IS NULL OR job = @Job) AND (@Status IS NULL OR status = @Status);
        """;

    internal const string ConsoleExceptionGroupsSql = """
        SELECT TOP (@Take) u.billing_submission_id AS SubmissionId, s.status AS SubmissionStatus, u.billing_status AS RowStatus,
               COUNT_BIG(*) AS Rows, MIN(u.id) AS FirstRowId, MAX(u.billing_run_id) AS RunId,
               COALESCE(s.status_reason, MIN(u.billing_error)) AS Reason,
               s.customer_field AS CustomerField, s.customer_id AS CustomerId, s.item_field AS ItemField, s.item_id AS ItemId
        FROM [$(Schema)].$(UsageTable) AS u
        JOIN [$(Schema)].ub_submission AS s ON s.id = u.billing_submission_id
        WHERE u.billing_status IN ('held', 'rejected') AND s.status IN ('held', 'rejected')
        GROUP BY u.billing_submission_id, s.status, u.billing_status, s.status_reason, s.customer_field, s.customer_id, s.item_field, s.item_id
        ORDER BY u.billing_submission_id DESC;
        """;

    internal const string ConsoleWhopExceptionRowsSql = """
        SELECT TOP (@Take) u.id AS RowId, u.source_key AS SourceKey, u.billing_status AS Status, u.billing_error AS Reason,
               u.billing_run_id AS RunId, u.billing_submission_id AS SubmissionId, u.occurred_at AS OccurredAt,
               COALESCE(u.membership_id, u.company_id) AS Customer, COALESCE(u.billing_item_id, u.billing_item_identifier) AS Item,
               CAST(NULL AS nvarchar(500)) AS Note
        FROM [$(Schema)].whop_usage AS u
        LEFT JOIN [$(Schema)].ub_submission AS s ON s.id = u.billing_submission_id
        WHERE u.billing_status IN ('held', 'rejected') AND (s.id IS NULL OR s.status NOT IN ('held', 'rejected'))
        ORDER BY u.id DESC;
        """;

    internal const string ConsoleChargebeeExceptionRowsSql = """
        SELECT TOP (@Take) u.id AS RowId, u.source_key AS SourceKey, u.billing_status AS Status, u.billing_error AS Reason,
               u.billing_run_id AS RunId, u.billing_submission_id AS SubmissionId, u.occurred_at AS OccurredAt,
               u.subscription_id AS Customer, u.item_price_id AS Item, u.note AS Note
        FROM [$(Schema)].chargebee_usage AS u
        LEFT JOIN [$(Schema)].ub_submission AS s ON s.id = u.billing_submission_id
        WHERE u.billing_status IN ('held', 'rejected') AND (s.id IS NULL OR s.status NOT IN ('held', 'rejected'))
        ORDER BY u.id DESC;
        """;

    // Ids of the run's confirmed, unsettled submissions of one usage table: the rows the run's last step settles.
    internal const string ConfirmedUnsettledSql = """
        SELECT id FROM [$(Schema)].ub_submission
        WHERE owner_run_id = @RunId AND status = 'confirmed' AND settled_at IS NULL AND usage_table = @Table
        ORDER BY id;
        """;
}
