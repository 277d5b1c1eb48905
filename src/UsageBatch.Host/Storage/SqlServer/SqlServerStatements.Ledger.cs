namespace UsageBatch.Storage.SqlServer;

/// <summary>The ledger: adoption, the send and its outcome, the write-back, the report carry (see <see cref="SqlServerStatements"/> for the hints).</summary>
internal static partial class SqlServerStatements
{
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

    // The run's confirmed submissions settled a range at a time: one UPDATE moves the rows of every confirmed,
    // unsettled submission of this run with an id in [@FirstId, @LastId], instead of a read, a paged UPDATE and a mark
    // per submission (three round trips per group). The caller sizes the range from the ledger's row counts so one
    // statement moves at most the job's batchSize rows (under lock escalation, as SettleBatchSql). The submissions are
    // found by their key range (clustered seek), their rows by ix_*_submission; every predicate is checked again on
    // the locked row. The same rows SettleBatchSql would move: still 'claimed', or set back to 'pending' by hand.
    internal const string SettleConfirmedRangeSql = """
        DECLARE @settled TABLE (id bigint NOT NULL PRIMARY KEY);
        UPDATE u
        SET billing_status = 'billed', provider_usage_id = s.provider_usage_id, provider_receipt_id = s.provider_receipt_id,
            billed_at = @Now, billing_error = NULL, billing_run_id = @RunId
        OUTPUT inserted.id INTO @settled (id)
        FROM [$(Schema)].ub_submission AS s WITH (ROWLOCK, READCOMMITTEDLOCK)
        JOIN [$(Schema)].$(UsageTable) AS u WITH (ROWLOCK, READCOMMITTEDLOCK) ON u.billing_submission_id = s.id
        WHERE s.id BETWEEN @FirstId AND @LastId AND s.owner_run_id = @RunId AND s.status = 'confirmed' AND s.settled_at IS NULL
          AND s.usage_table = @Table AND u.billing_status IN ('claimed', 'pending');
        SELECT COUNT(*) FROM @settled;
        """;

    // Then the range's submissions whose rows have all moved are settled (a row a DBA set back to 'pending' after this
    // statement read it keeps its submission open for the next run's recovery, as with SettleBatchSql).
    internal const string MarkConfirmedRangeSettledSql = """
        UPDATE s SET settled_at = @Now, updated_at = @Now
        FROM [$(Schema)].ub_submission AS s WITH (ROWLOCK, READCOMMITTEDLOCK)
        WHERE s.id BETWEEN @FirstId AND @LastId AND s.owner_run_id = @RunId AND s.status = 'confirmed' AND s.settled_at IS NULL
          AND s.usage_table = @Table
          AND NOT EXISTS (SELECT 1 FROM [$(Schema)].$(UsageTable) AS u
                          WHERE u.billing_submission_id = s.id AND u.billing_status IN ('claimed', 'pending'));
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
}
