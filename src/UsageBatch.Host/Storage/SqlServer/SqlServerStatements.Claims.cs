namespace UsageBatch.Storage.SqlServer;

/// <summary>Validation and the claim: reading, rejecting and holding pending rows, the planning GROUP BYs and the claim batches.</summary>
internal static partial class SqlServerStatements
{
    // Validate (the pending rows themselves: SqlServerUsageStatements)
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

    // Claim and prepare (the planning GROUP BY and the claim batch: SqlServerUsageStatements)
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

    // A claimed row that fails its provider's rules: rejected as validation rejects, unlinked from the group's ledger row.
    internal const string RejectClaimedRowSql = """
        UPDATE [$(Schema)].$(UsageTable) SET billing_status = 'rejected', billing_error = @Reason, billing_submission_id = NULL WHERE id = @Id;
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
        WHERE provider_account = @Account AND customer_field = @CustomerField AND customer_id = @CustomerId
          AND id <> @Id
          AND (status IN ('prepared', 'sent', 'confirmed') OR (status = 'held' AND first_sent_at IS NOT NULL));
        """;

    // Dates that may exist at the provider for this (customer, item): anything but never-sent or refused.
    internal const string UsedUsageDatesSql = """
        SELECT usage_date FROM [$(Schema)].ub_submission
        WHERE provider_account = @Account AND customer_id = @CustomerId AND item_id = @ItemId
          AND usage_date >= @Start AND usage_date < @End AND id <> @Id
          AND status NOT IN ('preparing', 'void', 'rejected', 'released');
        """;
}
