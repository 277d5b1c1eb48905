namespace UsageBatch.Storage.SqlServer;

/// <summary>Requeue, reports, reconcile, status and the operator console.</summary>
internal static partial class SqlServerStatements
{
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

    // INDEX(…_pending): the filtered index of pending rows. MIN with a row goal could otherwise walk ix_*_occurred
    // from the oldest row, through every row ever billed, to the first pending one (pending rows are the newest).
    internal const string ConsoleOldestPendingSql = """
        SELECT MIN(occurred_at) FROM [$(Schema)].$(UsageTable) WITH (INDEX(ix_$(UsageTable)_pending)) WHERE billing_status = 'pending';
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

    // Ids of the run's confirmed, unsettled submissions of one usage table, with the rows each claimed: the rows the
    // run's last step settles, a range of submissions per statement (SettleConfirmedRangeSql).
    internal const string ConfirmedUnsettledSql = """
        SELECT id, row_count FROM [$(Schema)].ub_submission
        WHERE owner_run_id = @RunId AND status = 'confirmed' AND settled_at IS NULL AND usage_table = @Table
        ORDER BY id;
        """;
}
