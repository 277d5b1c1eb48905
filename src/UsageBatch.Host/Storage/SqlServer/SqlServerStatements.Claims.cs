namespace UsageBatch.Storage.SqlServer;

/// <summary>Validation and the claim: reading, rejecting and holding pending rows, the planning GROUP BYs and the claim batches.</summary>
internal static partial class SqlServerStatements
{
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
}
