namespace UsageBatch.Storage.Sqlite;

/// <summary>
/// The SQLite dialect's statements. SQLite has one writer at a time (BEGIN IMMEDIATE), so there are no lock hints;
/// <c>RETURNING</c> and <c>LIMIT</c> take SQL Server's <c>OUTPUT … INTO</c> and <c>TOP</c>; where SQL Server writes
/// several statements into one batch, so does SQLite (a command runs them in order; its answer is the last
/// SELECT). Decimals and times are canonical TEXT (see sql/sqlite/001); <c>ub_decimal_sum</c> sums them exactly.
/// </summary>
internal static partial class SqliteStatements
{
    private const string SubmissionColumns = LedgerRows.Columns;

    /// <summary>
    /// A pending row (alias u) may be claimed only when its previous submission, if any, is final and unbilled (void,
    /// released, rejected): a row a DBA set back to 'pending' under a live or billed submission is never billed again
    /// (it waits for that submission's outcome, or is held). Most rows have no submission, so the lookup is skipped.
    /// </summary>
    internal const string ClaimableU =
        "(u.billing_submission_id IS NULL OR NOT EXISTS (SELECT 1 FROM ub_submission AS prev WHERE prev.id = u.billing_submission_id AND prev.status NOT IN ('void', 'released', 'rejected')))";

    /// <summary>
    /// The rows a settle moves: those the submission claimed, and those a DBA set back to 'pending' while it was in
    /// flight (the claim never takes them back, so they wait for this outcome), unless the outcome is 'pending' anyway.
    /// </summary>
    internal const string SettlesWith = "(billing_status = 'claimed' OR (billing_status = 'pending' AND @RowStatus <> 'pending'))";

    private const string StillPreparing =
        "owner_run_id = @RunId AND status = 'preparing' AND EXISTS (SELECT 1 FROM ub_run WHERE id = @RunId AND status = 'running')";

    /// <summary>The reason a held re-queued row gets, as <see cref="HeldRow.RequeuedReason"/> writes it.</summary>
    private static string RequeuedReasonSql(UsageTable t) => $"""
        're-queued, but its submission ' || u.billing_submission_id || ' is already ' || s.status ||
        COALESCE(' (provider usage ' || u.provider_usage_id || ')', '') ||
        '; run `usagebatch requeue --table {t.Name} --row ' || u.id || '` to check the provider'
        """;

    /// <summary>The statements for the embedded database: the table names are the two fixed ones.</summary>
    public static Statements Build() => new()
    {
        UsageIdPrefix = "SELECT usage_id_prefix FROM ub_installation WHERE id = 1",
        InsertInstallation = "INSERT INTO ub_installation (id, installation_id, usage_id_prefix, created_at) VALUES (1, @Id, @Prefix, @Now)",
        StartRun = """
            INSERT INTO ub_run (job, provider_account, usage_table, status, dry_run, scheduled_at, cutoff, started_at,
                                lease_until, host, process_id, process_start)
            VALUES (@Job, @ProviderAccount, @UsageTable, 'running', @DryRun, @ScheduledAt, @Cutoff, @StartedAt,
                    ub_now_plus_ms(@LeaseMs), @Host, @ProcessId, @ProcessStart)
            RETURNING id
            """,
        RenewRunLease = "UPDATE ub_run SET lease_until = ub_now_plus_ms(@LeaseMs) WHERE id = @RunId AND status = 'running'; SELECT changes();",
        FinishRun = """
            UPDATE ub_run SET status = @Status, exit_code = @ExitCode, message = @Message, summary_json = @Summary,
                              finished_at = @Now, lease_until = @Now
            WHERE id = @RunId AND status = 'running'
            """,
        RunStatus = "SELECT status FROM ub_run WHERE id = @RunId",
        RunningRuns = "SELECT id, job, host, process_id, process_start, started_at, lease_until, lease_until < ub_now() FROM ub_run WHERE status = 'running' ORDER BY id",
        DeclareDead = """
            DELETE FROM ub_job_lock WHERE run_id = @RunId;
            UPDATE ub_run SET status = 'dead', finished_at = @Now, lease_until = @Now, message = @Reason WHERE id = @RunId AND status = 'running';
            SELECT changes();
            """,

        // The run that left each submission is kept in a temporary table first: RETURNING gives the new owner only.
        AdoptOrphans = $"""
            UPDATE ub_run SET status = 'dead', finished_at = @Now, message = 'lease expired; recovered by run ' || @RunId
            WHERE status = 'running' AND lease_until < ub_now() AND id <> @RunId;
            CREATE TEMP TABLE IF NOT EXISTS ub_adopted (id INTEGER PRIMARY KEY, previous_owner INTEGER NOT NULL, status TEXT NOT NULL);
            DELETE FROM temp.ub_adopted;
            INSERT INTO temp.ub_adopted (id, previous_owner, status)
            SELECT id, owner_run_id, status FROM ub_submission
            WHERE provider_account = @Account AND settled_at IS NULL AND owner_run_id <> @RunId
              AND owner_run_id IN (SELECT id FROM ub_run WHERE status <> 'running')
            ORDER BY id LIMIT @BatchSize;
            UPDATE ub_submission SET owner_run_id = @RunId, updated_at = @Now WHERE id IN (SELECT id FROM temp.ub_adopted);
            INSERT INTO ub_submission_event (submission_id, run_id, at, event, detail)
            SELECT id, @RunId, @Now, 'adopted', 'recovered from run ' || previous_owner || ' in state ' || status FROM temp.ub_adopted ORDER BY id;
            SELECT {SubmissionColumns}, a.previous_owner FROM ub_submission AS s JOIN temp.ub_adopted AS a ON a.id = s.id ORDER BY s.id;
            """,
        MarkSent = """
            UPDATE ub_submission
            SET status = 'sent', attempts = attempts + 1, first_sent_at = COALESCE(first_sent_at, @Now),
                last_attempt_at = @Now, updated_at = @Now
            WHERE id = @Id AND owner_run_id = @RunId AND status IN ('prepared', 'sent')
              AND EXISTS (SELECT 1 FROM ub_run WHERE id = @RunId AND status = 'running' AND lease_until > ub_now_plus_ms(@MustOutlastMs));
            SELECT changes();
            """,
        MoveUsageDate = "UPDATE ub_submission SET usage_date = @UsageDate, updated_at = @Now WHERE id = @Id AND owner_run_id = @RunId",
        OwnedUsageIds = """
            SELECT provider_usage_id FROM ub_submission
            WHERE provider_account = @Account AND customer_field = @CustomerField AND customer_id = @CustomerId
              AND item_field = @ItemField AND item_id = @ItemId AND provider_usage_id IS NOT NULL
            """,
        RecordOutcome = """
            UPDATE ub_submission
            SET status = @Status, status_reason = @Reason,
                provider_usage_id = COALESCE(@ProviderUsageId, provider_usage_id),
                provider_receipt_id = COALESCE(@ProviderReceiptId, provider_receipt_id),
                echoed_total = COALESCE(@EchoedTotal, echoed_total), http_status = @HttpStatus, provider_code = @ProviderCode,
                updated_at = @Now
            WHERE id = @Id AND owner_run_id = @RunId AND settled_at IS NULL;
            SELECT changes();
            """,
        // Paged by key (as on SQL Server): the batch's ids go to a temporary table first, so the exceptions and the UPDATE
        // take exactly those rows and the answer names the last one, where the next batch starts.
        SettleBatch = PerTable.From(t => $"""
            CREATE TEMP TABLE IF NOT EXISTS ub_batch (id INTEGER PRIMARY KEY);
            DELETE FROM temp.ub_batch;
            INSERT INTO temp.ub_batch (id)
            SELECT id FROM {t.Name}
            WHERE billing_submission_id = @SubmissionId AND id > @AfterId AND {SettlesWith}
            ORDER BY id LIMIT @BatchSize;
            INSERT INTO ub_row_exception (run_id, usage_table, row_id, source_key, submission_id, kind, reason, at)
            SELECT @RunId, @Table, u.id, u.source_key, @SubmissionId, @ExceptionKind, @ExceptionReason, @Now
            FROM temp.ub_batch AS b JOIN {t.Name} AS u ON u.id = b.id
            WHERE @ExceptionKind IS NOT NULL ORDER BY u.id;
            UPDATE {t.Name}
            SET billing_status = @RowStatus, provider_usage_id = @UsageId, provider_receipt_id = @ReceiptId,
                billed_at = @BilledAt, billing_error = @Error, billing_run_id = @RunId,
                billing_attempts = billing_attempts + @AttemptIncrement
            WHERE id IN (SELECT id FROM temp.ub_batch);
            SELECT COUNT(*) AS Count, MAX(id) AS LastId FROM temp.ub_batch;
            """),
        MarkSettled = "UPDATE ub_submission SET settled_at = @Now, updated_at = @Now WHERE id = @Id AND settled_at IS NULL",
        ConfirmedUnsettled = """
            SELECT id, row_count FROM ub_submission
            WHERE owner_run_id = @RunId AND status = 'confirmed' AND settled_at IS NULL AND usage_table = @Table ORDER BY id
            """,
        SettleConfirmedRange = PerTable.From(t => $"""
            UPDATE {t.Name} AS u
            SET billing_status = 'billed', provider_usage_id = s.provider_usage_id, provider_receipt_id = s.provider_receipt_id,
                billed_at = @Now, billing_error = NULL, billing_run_id = @RunId
            FROM ub_submission AS s
            WHERE s.id BETWEEN @FirstId AND @LastId AND s.owner_run_id = @RunId AND s.status = 'confirmed' AND s.settled_at IS NULL
              AND s.usage_table = @Table AND u.billing_submission_id = s.id AND u.billing_status IN ('claimed', 'pending');
            SELECT changes();
            """),
        MarkConfirmedRangeSettled = PerTable.From(t => $"""
            UPDATE ub_submission SET settled_at = @Now, updated_at = @Now
            WHERE id BETWEEN @FirstId AND @LastId AND owner_run_id = @RunId AND status = 'confirmed' AND settled_at IS NULL AND usage_table = @Table
              AND NOT EXISTS (SELECT 1 FROM {t.Name} AS u WHERE u.billing_submission_id = ub_submission.id AND u.billing_status IN ('claimed', 'pending'))
            """),
        CarryUnreported = """
            CREATE TEMP TABLE IF NOT EXISTS ub_carry (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL);
            DELETE FROM temp.ub_carry;
            INSERT INTO temp.ub_carry (id, owner)
            SELECT id, owner_run_id FROM (
                SELECT s.id, s.owner_run_id, s.status FROM ub_submission AS s
                WHERE s.provider_account = @Account AND s.settled_at IS NOT NULL AND s.reported_run_id IS NULL
                UNION ALL
                SELECT s.id, s.owner_run_id, s.status FROM ub_run AS r
                CROSS JOIN ub_submission AS s -- CROSS: SQLite drives from the few runs without a written report
                WHERE r.report_written_at IS NULL AND r.status <> 'running' AND r.id <> @RunId
                  AND s.provider_account = @Account AND s.reported_run_id = r.id AND s.settled_at IS NOT NULL) AS c
            WHERE c.status IN ('confirmed', 'zero', 'rejected', 'held', 'released', 'void')
              AND (c.owner_run_id = @RunId OR NOT EXISTS (SELECT 1 FROM ub_run AS o WHERE o.id = c.owner_run_id AND o.status = 'running'))
            ORDER BY c.id LIMIT @BatchSize;
            INSERT INTO ub_submission_event (submission_id, run_id, at, event, detail)
            SELECT id, @RunId, @Now, 'carried', 'carried into this report: run ' || owner || ' finished it and wrote no report of it'
            FROM temp.ub_carry WHERE owner <> @RunId ORDER BY id;
            INSERT INTO ub_submission_event (submission_id, run_id, at, event, detail, provider_usage_id, provider_receipt_id,
                                             echoed_total, http_status, provider_code)
            SELECT s.id, @RunId, @Now, CASE s.status WHEN 'void' THEN 'voided' ELSE s.status END,
                   'finished by run ' || c.owner || ', which wrote no report of it' || COALESCE('; ' || s.status_reason, ''), s.provider_usage_id,
                   s.provider_receipt_id, s.echoed_total, s.http_status, s.provider_code
            FROM temp.ub_carry AS c JOIN ub_submission AS s ON s.id = c.id WHERE c.owner <> @RunId ORDER BY s.id;
            UPDATE ub_submission SET reported_run_id = @RunId WHERE id IN (SELECT id FROM temp.ub_carry);
            SELECT COUNT(*), COALESCE(SUM(owner <> @RunId), 0) FROM temp.ub_carry;
            """,
        MarkReportWritten = "UPDATE ub_run SET report_written_at = @Now WHERE id = @RunId",
        MarkReportFailed = """
            UPDATE ub_run
            SET status = CASE status WHEN 'succeeded' THEN 'attention' ELSE status END,
                exit_code = CASE exit_code WHEN 0 THEN 1 ELSE exit_code END, message = @Message
            WHERE id = @RunId
            """,
        GetSubmission = $"SELECT {SubmissionColumns} FROM ub_submission AS s WHERE s.id = @Id",
        SubmissionsOfRun = $"""
            SELECT {SubmissionColumns} FROM ub_submission AS s WHERE s.created_run_id = @RunId
            UNION ALL
            SELECT {SubmissionColumns} FROM ub_submission AS s
            WHERE s.id IN (SELECT submission_id FROM ub_submission_event WHERE run_id = @RunId) AND s.created_run_id <> @RunId
            ORDER BY 1
            """,
        InsertEvent = """
            INSERT INTO ub_submission_event (submission_id, run_id, at, event, detail, provider_usage_id, provider_receipt_id,
                                             echoed_total, http_status, provider_code)
            VALUES (@SubmissionId, @RunId, @At, @Event, @Detail, @UsageId, @ReceiptId, @EchoedTotal, @HttpStatus, @ProviderCode)
            """,
        InsertRowException = """
            INSERT INTO ub_row_exception (run_id, usage_table, row_id, source_key, submission_id, kind, reason, at)
            VALUES (@RunId, @Table, @RowId, @SourceKey, @SubmissionId, @Kind, @Reason, @At)
            """,

        PendingRows = PerTable.From(SqliteUsageStatements.PendingRows),
        CreateRejectStage = """
            CREATE TEMP TABLE IF NOT EXISTS ub_reject (row_id INTEGER PRIMARY KEY, source_key TEXT, reason TEXT NOT NULL);
            DELETE FROM temp.ub_reject;
            """,
        RejectStaged = PerTable.From(t => $"""
            INSERT INTO ub_row_exception (run_id, usage_table, row_id, source_key, submission_id, kind, reason, at)
            SELECT @RunId, @Table, r.row_id, r.source_key, NULL, 'rejected', r.reason, @Now
            FROM temp.ub_reject AS r JOIN {t.Name} AS u ON u.id = r.row_id WHERE u.billing_status = 'pending' ORDER BY r.row_id;
            UPDATE {t.Name} AS u SET billing_status = 'rejected', billing_error = r.reason, billing_run_id = @RunId
            FROM temp.ub_reject AS r WHERE r.row_id = u.id AND u.billing_status = 'pending';
            SELECT changes();
            """),
        HoldRequeued = PerTable.From(t =>
        {
            var held = $"""
                FROM {t.Name} AS u JOIN ub_submission AS s ON s.id = u.billing_submission_id
                WHERE u.billing_status = 'pending' AND s.status NOT IN ('void', 'released', 'rejected') AND s.settled_at IS NOT NULL ORDER BY u.id LIMIT @BatchSize
                """;
            return $"""
                CREATE TEMP TABLE IF NOT EXISTS ub_held (id INTEGER PRIMARY KEY, source_key TEXT, submission_id INTEGER NOT NULL, reason TEXT NOT NULL);
                DELETE FROM temp.ub_held;
                INSERT INTO temp.ub_held (id, source_key, submission_id, reason) SELECT u.id, u.source_key, u.billing_submission_id, {RequeuedReasonSql(t)} {held};
                UPDATE {t.Name} AS u SET billing_status = 'held', billing_run_id = @RunId, billing_error = h.reason FROM temp.ub_held AS h WHERE h.id = u.id;
                INSERT INTO ub_row_exception (run_id, usage_table, row_id, source_key, submission_id, kind, reason, at)
                SELECT @RunId, @Table, id, source_key, submission_id, 'held', reason, @Now FROM temp.ub_held ORDER BY id;
                SELECT COUNT(*) FROM temp.ub_held;
                """;
        }),

        Groups = PerTable.From(SqliteUsageStatements.Groups),
        // Only while the run is still 'running': a run declared dead (its lease lapsed, its work adopted) creates nothing more.
        InsertPreparing = """
            INSERT INTO ub_submission (created_run_id, owner_run_id, job, provider_account, usage_table, customer_field,
                                       customer_id, item_field, item_id, value_field, bucket_start, bucket_end, status,
                                       created_at, updated_at)
            SELECT @RunId, @RunId, @Job, @Account, @Table, @CustomerField, @CustomerId, @ItemField, @ItemId, @ValueField,
                   @BucketStart, @BucketEnd, 'preparing', @Now, @Now
            WHERE EXISTS (SELECT 1 FROM ub_run WHERE id = @RunId AND status = 'running')
            RETURNING id
            """,
        ClaimBatch = PerTable.From(SqliteUsageStatements.ClaimBatch),
        RejectClaimedRow = PerTable.From(t => $"UPDATE {t.Name} SET billing_status = 'rejected', billing_error = @Reason, billing_submission_id = NULL WHERE id = @Id"),
        // The claim's writes of its own ledger row: only while the run still owns it, it is still 'preparing' and the
        // run is still 'running' (a recovering run that adopted it has voided it; writing on would strand its rows).
        UpdatePreparing = $"UPDATE ub_submission SET row_count = @Count, total = @Total, updated_at = @Now WHERE id = @Id AND {StillPreparing}; SELECT changes();",
        DeleteSubmission = $"DELETE FROM ub_submission WHERE id = @Id AND {StillPreparing}; SELECT changes();",
        DecideSubmission = $"""
            UPDATE ub_submission
            SET status = @Status, status_reason = @Reason, row_count = @Count, total = @Total,
                first_occurred_at = @First, last_occurred_at = @Last, row_ids = @RowIds, usage_date = @UsageDate,
                usage_id = @UsageId, updated_at = @Now
            WHERE id = @Id AND {StillPreparing};
            SELECT changes();
            """,
        CapCount = """
            SELECT COUNT(*) FROM ub_submission
            WHERE provider_account = @Account AND customer_field = @CustomerField AND customer_id = @CustomerId
              AND id <> @Id
              AND (status IN ('prepared', 'sent', 'confirmed') OR (status = 'held' AND first_sent_at IS NOT NULL))
            """,
        // Dates that may exist at the provider for this (customer, item): anything but never-sent or refused.
        UsedUsageDates = """
            SELECT usage_date FROM ub_submission
            WHERE provider_account = @Account AND customer_id = @CustomerId AND item_id = @ItemId
              AND usage_date >= @Start AND usage_date < @End AND id <> @Id
              AND status NOT IN ('preparing', 'void', 'rejected', 'released')
            """,

        FindRequeuedBilled = PerTable.From(t => $"""
            SELECT u.id, u.source_key, u.billing_submission_id, s.status, u.provider_usage_id
            FROM {t.Name} AS u JOIN ub_submission AS s ON s.id = u.billing_submission_id
            WHERE u.billing_status = 'pending' AND s.status NOT IN ('void', 'released', 'rejected') AND s.settled_at IS NOT NULL
            ORDER BY u.id
            """),
        FindHeldRow = PerTable.From(t => $"SELECT id, source_key, billing_submission_id, billing_error FROM {t.Name} WHERE id = @Id AND billing_status = 'held'"),
        ReopenRowsBatch = PerTable.From(t => $"""
            CREATE TEMP TABLE IF NOT EXISTS ub_batch (id INTEGER PRIMARY KEY);
            DELETE FROM temp.ub_batch;
            INSERT INTO temp.ub_batch (id)
            SELECT id FROM {t.Name} WHERE billing_submission_id = @Id AND id > @AfterId AND billing_status = 'held' ORDER BY id LIMIT @BatchSize;
            UPDATE {t.Name} SET billing_status = 'claimed', billing_error = NULL WHERE id IN (SELECT id FROM temp.ub_batch);
            SELECT COUNT(*) AS Count, MAX(id) AS LastId FROM temp.ub_batch;
            """),
        ReopenSubmission = """
            UPDATE ub_submission
            SET status = @Status, status_reason = @Reason, owner_run_id = @RunId, settled_at = NULL, reported_run_id = NULL, updated_at = @Now,
                provider_usage_id = COALESCE(@UsageId, provider_usage_id), provider_receipt_id = COALESCE(@ReceiptId, provider_receipt_id),
                echoed_total = COALESCE(@Echoed, echoed_total)
            WHERE id = @Id AND status = 'held'
            """,
        RestoreBilledRow = PerTable.From(t => $"""
            UPDATE {t.Name}
            SET billing_status = 'billed', billing_error = NULL, billing_run_id = @RunId, provider_usage_id = @UsageId,
                provider_receipt_id = COALESCE(@ReceiptId, provider_receipt_id), billed_at = COALESCE(billed_at, @Now)
            WHERE id = @Id AND billing_status = 'held'
            """),
        SourceKeyOfRow = PerTable.From(t => $"SELECT source_key FROM {t.Name} WHERE id = @Id"),
        ReleaseRow = PerTable.From(t => $"""
            UPDATE {t.Name}
            SET billing_status = 'pending', billing_error = NULL, billing_run_id = @RunId, billing_submission_id = NULL,
                provider_usage_id = NULL, provider_receipt_id = NULL, billed_at = NULL
            WHERE id = @Id AND billing_status = 'held'
            """),

        GetRun = """
            SELECT id, job, provider_account, usage_table, status, dry_run, scheduled_at, cutoff, started_at, finished_at,
                   host, exit_code, message, summary_json
            FROM ub_run WHERE id = @RunId
            """,
        LastFinishedRun = "SELECT MAX(id) FROM ub_run WHERE status <> 'running' AND (@Job IS NULL OR job = @Job)",
        RowIdsOfRun = """
            SELECT id, row_ids FROM ub_submission WHERE created_run_id = @RunId
            UNION ALL
            SELECT id, row_ids FROM ub_submission
            WHERE id IN (SELECT submission_id FROM ub_submission_event WHERE run_id = @RunId) AND created_run_id <> @RunId
            """,
        EventsOfRun = """
            SELECT submission_id, at, event, detail, provider_usage_id, provider_receipt_id, echoed_total, http_status, provider_code
            FROM ub_submission_event WHERE run_id = @RunId ORDER BY id
            """,
        RowExceptionsOfRun = "SELECT row_id, usage_table, source_key, submission_id, kind, reason, at FROM ub_row_exception WHERE run_id = @RunId ORDER BY id",
        SilentCustomers = """
            WITH prior AS (
                SELECT r.id FROM ub_run AS r
                WHERE r.job = @Job AND r.id < @RunId AND r.dry_run = 0
                  AND EXISTS (SELECT 1 FROM ub_submission AS x WHERE x.created_run_id = r.id AND x.status IN ('confirmed', 'zero'))
                ORDER BY r.id DESC LIMIT @Runs)
            SELECT s.customer_field, s.customer_id
            FROM ub_submission AS s
            WHERE s.created_run_id IN (SELECT id FROM prior) AND s.status IN ('confirmed', 'zero')
              AND (SELECT COUNT(*) FROM prior) = @Runs
              AND NOT EXISTS (SELECT 1 FROM ub_submission AS t
                              WHERE t.created_run_id = @RunId AND t.customer_field = s.customer_field AND t.customer_id = s.customer_id)
            GROUP BY s.customer_field, s.customer_id
            HAVING COUNT(DISTINCT s.created_run_id) = @Runs
            ORDER BY s.customer_id, s.customer_field
            """,
        ConfirmedCounts = """
            SELECT s.customer_id, COUNT(DISTINCT s.id)
            FROM ub_submission AS s JOIN ub_submission_event AS e ON e.submission_id = s.id
            WHERE s.provider_account = @Account AND s.customer_field = 'subscription_id' AND s.customer_id IN @Ids
              AND e.event = 'confirmed' AND e.run_id <= @RunId
            GROUP BY s.customer_id
            """,
        ConfirmedByUsageDate = $"""
            SELECT {SubmissionColumns} FROM ub_submission AS s
            WHERE s.provider_account = @Account AND s.status = 'confirmed' AND s.usage_date >= @From AND s.usage_date < @To
            ORDER BY s.id
            """,
        ConfirmedBySentAt = $"""
            SELECT {SubmissionColumns} FROM ub_submission AS s
            WHERE s.provider_account = @Account AND s.status = 'confirmed' AND s.last_attempt_at >= @From AND s.last_attempt_at < @To
            ORDER BY s.id
            """,
        SubmissionsByUsageIds = $"""
            SELECT {SubmissionColumns} FROM ub_submission AS s
            WHERE s.provider_account = @Account AND (s.provider_usage_id IN @Ids OR s.usage_id IN @Ids)
            """,
        RecordReceipt = "UPDATE ub_submission SET provider_receipt_id = @ReceiptId, updated_at = @Now WHERE id = @Id",
        RecordReceiptRows = PerTable.From(t => $"""
            CREATE TEMP TABLE IF NOT EXISTS ub_batch (id INTEGER PRIMARY KEY);
            DELETE FROM temp.ub_batch;
            INSERT INTO temp.ub_batch (id)
            SELECT id FROM {t.Name}
            WHERE billing_submission_id = @Id AND id > @AfterId AND billing_status = 'billed'
              AND (provider_receipt_id IS NULL OR provider_receipt_id <> @ReceiptId)
            ORDER BY id LIMIT @BatchSize;
            UPDATE {t.Name} SET provider_receipt_id = @ReceiptId WHERE id IN (SELECT id FROM temp.ub_batch);
            SELECT COUNT(*) AS Count, MAX(id) AS LastId FROM temp.ub_batch;
            """),

        CountRows = PerTable.From(t => $"""
            SELECT COALESCE(SUM(billing_status = 'pending' AND occurred_at < @Cutoff), 0),
                   COALESCE(SUM(billing_status = 'pending' AND occurred_at >= @Cutoff), 0),
                   COALESCE(SUM(billing_status = 'claimed'), 0),
                   COALESCE(SUM(billing_status = 'billed'), 0),
                   COALESCE(SUM(billing_status = 'rejected'), 0),
                   COALESCE(SUM(billing_status = 'held'), 0)
            FROM {t.Name}
            """),
        RecentRuns = "SELECT id, status, started_at, finished_at, exit_code, message FROM ub_run WHERE job = @Job ORDER BY id DESC LIMIT @Count",
        LastRun = """
            SELECT id, job, status, started_at, finished_at, exit_code, message, summary_json FROM ub_run
            WHERE job = @Job AND (@Completed = 0 OR status IN ('succeeded', 'attention'))
            ORDER BY id DESC LIMIT 1
            """,
        // +occurred_at: not ix_*_occurred, whose walk from the oldest row would pass every row ever billed before the
        // first pending one; the partial index of pending rows holds only those.
        OldestPending = PerTable.From(t => $"SELECT MIN(+occurred_at) FROM {t.Name} WHERE billing_status = 'pending' AND +occurred_at IS NOT NULL"),
        NewestOccurred = PerTable.From(t => $"SELECT MAX(occurred_at) FROM {t.Name}"),
        Runs = """
            SELECT id, job, status, started_at, finished_at, exit_code, message, summary_json FROM ub_run
            WHERE (@Job IS NULL OR job = @Job) AND (@Status IS NULL OR status = @Status)
            ORDER BY id DESC LIMIT @Take OFFSET @Skip
            """,
        RunCount = "SELECT COUNT(*) FROM ub_run WHERE (@Job IS NULL OR job = @Job) AND (@Status IS NULL OR status = @Status)",
        ExceptionGroups = PerTable.From(t => $"""
            SELECT u.billing_submission_id, s.status, u.billing_status, COUNT(*), MIN(u.id), MAX(u.billing_run_id),
                   COALESCE(s.status_reason, MIN(u.billing_error)), s.customer_field, s.customer_id, s.item_field, s.item_id
            FROM {t.Name} AS u JOIN ub_submission AS s ON s.id = u.billing_submission_id
            WHERE u.billing_status IN ('held', 'rejected') AND s.status IN ('held', 'rejected')
            GROUP BY u.billing_submission_id, s.status, u.billing_status, s.status_reason, s.customer_field, s.customer_id, s.item_field, s.item_id
            ORDER BY u.billing_submission_id DESC LIMIT @Take
            """),
        ExceptionRows = PerTable.From(SqliteUsageStatements.ExceptionRows),
    };

    internal const string StageRejectionSql = "INSERT OR IGNORE INTO temp.ub_reject (row_id, source_key, reason) VALUES (@RowId, @SourceKey, @Reason)";
}
